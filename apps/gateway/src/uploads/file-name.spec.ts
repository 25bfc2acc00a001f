import { describe, expect, it } from '@jest/globals';
import { fileExtension, sanitizeFileName } from './file-name.js';

describe('sanitizeFileName', () => {
  it('keeps only the last path segment of Unix and Windows paths', () => {
    expect(sanitizeFileName('/etc/passwd')).toBe('passwd');
    expect(sanitizeFileName('C:\\Users\\alice\\Desktop\\invoice.pdf')).toBe('invoice.pdf');
    expect(sanitizeFileName('../../attachments/other/x.png')).toBe('x.png');
  });

  it('strips control characters and direction overrides', () => {
    expect(sanitizeFileName('in\u0000voi\u0007ce.pdf')).toBe('invoice.pdf');
    expect(sanitizeFileName('line\r\nbreak.pdf')).toBe('line break.pdf');
    expect(sanitizeFileName('invoice\u202Efdp.exe')).toBe('invoicefdp.exe');
    expect(sanitizeFileName('a\u0085b\u009f.txt')).toBe('ab.txt');
  });

  it('drops leading dots so nothing is hidden or climbs a directory', () => {
    expect(sanitizeFileName('..')).toBe('');
    expect(sanitizeFileName('.htaccess')).toBe('htaccess');
    expect(sanitizeFileName(' ... report.pdf ')).toBe('report.pdf');
  });

  it('drops trailing dots and spaces, which Windows drops when it saves the file', () => {
    expect(sanitizeFileName('page.html.')).toBe('page.html');
    expect(sanitizeFileName('page.html . . ')).toBe('page.html');
    expect(fileExtension(sanitizeFileName('report.exe...'))).toBe('exe');
    // Also where the length limit cuts the name.
    expect(sanitizeFileName(`${'a'.repeat(250)}.html.${'x'.repeat(30)}`)).toBe(`${'a'.repeat(250)}.html`);
    expect(sanitizeFileName(`${'a'.repeat(249)}.html.${'x'.repeat(30)}`)).toBe(`${'a'.repeat(249)}.html`);
  });

  it('keeps non-Latin names and collapses whitespace', () => {
    expect(sanitizeFileName('Tarjous   2026\tÄÖ 🔥.pdf')).toBe('Tarjous 2026 ÄÖ 🔥.pdf');
    expect(sanitizeFileName('e\u0301.txt')).toBe('é.txt');
  });

  it('limits the length to 255 and keeps the extension', () => {
    const long = sanitizeFileName(`${'a'.repeat(400)}.pdf`);
    expect(long).toHaveLength(255);
    expect(long.endsWith('a.pdf')).toBe(true);
    const emoji = sanitizeFileName(`${'🔥'.repeat(200)}.txt`);
    expect(emoji.length).toBeLessThanOrEqual(255);
    expect(emoji.endsWith('🔥.txt')).toBe(true);
    expect(emoji).not.toMatch(/[\ud800-\udbff]$/); // no half of a surrogate pair at the cut
  });

  it('is empty when nothing is left', () => {
    expect(sanitizeFileName('/')).toBe('');
    expect(sanitizeFileName('\u0001\u0002')).toBe('');
  });
});

describe('fileExtension', () => {
  it('is the lower-cased last extension, none for dot files', () => {
    expect(fileExtension('Report.final.PDF')).toBe('pdf');
    expect(fileExtension('README')).toBe('');
    expect(fileExtension('.bashrc')).toBe('');
  });
});
