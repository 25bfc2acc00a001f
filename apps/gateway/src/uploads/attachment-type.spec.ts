import { describe, expect, it } from '@jest/globals';
import { crc32 } from 'node:zlib';
import { sniffAttachmentType, Utf8TextCheck } from './attachment-type.js';

/** A zip with stored (uncompressed) entries, as small as the format allows. */
function zip(entries: [string, string][]): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of entries) {
    const data = Buffer.from(text);
    const fileName = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc32(data), 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(fileName.length, 26);
    parts.push(local, fileName, data);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4);
    entry.writeUInt16LE(20, 6);
    entry.writeUInt32LE(crc32(data), 16);
    entry.writeUInt32LE(data.length, 20);
    entry.writeUInt32LE(data.length, 24);
    entry.writeUInt16LE(fileName.length, 28);
    entry.writeUInt32LE(offset, 42);
    central.push(entry, fileName);
    offset += local.length + fileName.length + data.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, directory, end]);
}

const officeTypes = (main: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
  `<Default Extension="xml" ContentType="application/xml"/>` +
  `<Override PartName="/main.xml" ContentType="application/vnd.openxmlformats-officedocument.${main}.main+xml"/></Types>`;

const samples = {
  pdf: Buffer.from('%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n'),
  png: Buffer.from(
    '89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
      '1f15c4890000000d4944415478da63f8ffff3f0005fe02fea7a6a0000000000049454e44ae426082',
    'hex',
  ),
  jpeg: Buffer.from('ffd8ffe000104a46494600010100000100010000ffdb004300' + '01'.repeat(64) + 'ffd9', 'hex'),
  gif: Buffer.from('474946383961010001000000002c00000000010001000002024401003b', 'hex'),
  webp: Buffer.concat([
    Buffer.from('RIFF'),
    Buffer.from([26, 0, 0, 0]),
    Buffer.from('WEBPVP8L'),
    Buffer.from([13, 0, 0, 0, 0x2f, 0, 0, 0, 0x10, 0x07, 0x10, 0x11, 0x11, 0x88, 0x88, 0xfe, 0x07, 0x00]),
  ]),
  text: Buffer.from('Hello,\nthe printer is on fire again. Ärrinmurrin – 🔥\n'),
  csv: Buffer.from('subject,status\n"Printer on fire",open\n'),
  docx: zip([
    ['[Content_Types].xml', officeTypes('wordprocessingml.document')],
    ['word/document.xml', '<w:document/>'],
  ]),
  xlsx: zip([
    ['[Content_Types].xml', officeTypes('spreadsheetml.sheet')],
    ['xl/workbook.xml', '<workbook/>'],
  ]),
  pptx: zip([
    ['[Content_Types].xml', officeTypes('presentationml.presentation')],
    ['ppt/presentation.xml', '<p:presentation/>'],
  ]),
  zip: zip([['notes.txt', 'hello']]),
  eml: Buffer.from('From: Alice <alice@acme.test>\r\nTo: support@demo.test\r\nSubject: Hi\r\n\r\nHello\r\n'),
  exe: Buffer.concat([Buffer.from('4d5a90000300000004000000ffff0000b8', 'hex'), Buffer.alloc(100)]),
  html: Buffer.from('<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>'),
  svg: Buffer.from(
    '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>',
  ),
  xmlSvg: Buffer.from(
    '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
  ),
  script: Buffer.from('fetch("/api/v1/auth/me").then((r) => r.text()).then(alert);\n'),
};

const sniff = (bytes: Buffer, name: string) => sniffAttachmentType(bytes, name, true);

describe('sniffing an attachment’s type from its bytes', () => {
  it.each([
    ['pdf', 'report.pdf', 'application/pdf'],
    ['png', 'screenshot.png', 'image/png'],
    ['jpeg', 'photo.jpg', 'image/jpeg'],
    ['gif', 'anim.gif', 'image/gif'],
    ['webp', 'photo.webp', 'image/webp'],
    ['text', 'notes.txt', 'text/plain'],
    ['csv', 'export.csv', 'text/csv'],
    ['docx', 'letter.docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
    ['xlsx', 'sheet.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
    ['pptx', 'slides.pptx', 'application/vnd.openxmlformats-officedocument.presentationml.presentation'],
    ['zip', 'bundle.zip', 'application/zip'],
    ['eml', 'forwarded.eml', 'message/rfc822'],
  ] as const)('accepts a real %s (%s) as %s', async (sample, name, type) => {
    expect(await sniff(samples[sample], name)).toEqual({ contentType: type });
  });

  it('decides from the bytes, not the name: a file without an extension gets its sniffed type', async () => {
    expect(await sniff(samples.pdf, 'scan')).toEqual({ contentType: 'application/pdf' });
    expect(await sniff(samples.docx, 'letter')).toEqual({
      contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    });
    expect(await sniff(samples.text, 'README')).toEqual({ contentType: 'text/plain' });
  });

  it.each([
    ['html', 'invoice.pdf'],
    ['html', 'photo.png'],
    ['svg', 'invoice.pdf'],
    ['svg', 'logo.png'],
    ['xmlSvg', 'logo.png'],
    ['script', 'photo.png'],
    ['script', 'invoice.pdf'],
    ['exe', 'letter.docx'],
    ['exe', 'invoice.pdf'],
    ['zip', 'invoice.pdf'],
    ['docx', 'sheet.xlsx'],
    ['pdf', 'notes.txt'],
    ['png', 'letter.docx'],
    ['text', 'forwarded.eml'],
  ] as const)('refuses %s disguised as %s', async (sample, name) => {
    expect(await sniff(samples[sample], name)).toEqual({ refusal: expect.any(String) });
  });

  it('names the mismatch in the refusal', async () => {
    expect(await sniff(samples.html, 'invoice.pdf')).toEqual({
      refusal: 'the name says .pdf but the content is text',
    });
    expect(await sniff(samples.zip, 'invoice.pdf')).toEqual({
      refusal: 'the name says .pdf but the content is a ZIP archive',
    });
  });

  it('refuses names a browser or desktop would run or render, whatever the bytes', async () => {
    for (const name of ['page.html', 'page.HTM', 'logo.svg', 'app.js', 'run.sh', 'setup.exe', 'x.hta'])
      expect(await sniff(samples.text, name)).toEqual({ refusal: expect.stringContaining('not allowed') });
    expect(await sniff(samples.png, 'logo.svg')).toEqual({ refusal: '.svg files are not allowed' });
  });

  it('refuses types outside the allowed list even without a telling name', async () => {
    expect(await sniff(samples.exe, 'tool')).toEqual({
      refusal: expect.stringContaining('application/x-msdownload'),
    });
    expect(await sniff(samples.xmlSvg, 'drawing')).toEqual({
      refusal: expect.stringContaining('not one of'),
    });
  });

  it('refuses text with NUL bytes and bytes that are not UTF-8', async () => {
    expect(await sniff(Buffer.from('hello\u0000world\n'), 'notes.txt')).toEqual({
      refusal: expect.stringContaining('not one of the allowed types'),
    });
    expect(await sniff(Buffer.from('ff fe 68 00 69 00'.replace(/ /g, ''), 'hex'), 'utf16.txt')).toEqual({
      refusal: expect.any(String),
    });
    expect(await sniff(Buffer.from([0x68, 0xc3, 0x28]), 'bad.txt')).toEqual({ refusal: expect.any(String) });
  });

  it('accepts a UTF-8 character cut at the end of the sniffed bytes unless they are the whole file', async () => {
    const cut = Buffer.from('price: 5 €').subarray(0, -1);
    expect(await sniffAttachmentType(cut, 'notes.txt', false)).toEqual({ contentType: 'text/plain' });
    expect(await sniffAttachmentType(cut, 'notes.txt', true)).toEqual({ refusal: expect.any(String) });
  });

  it('treats a JPEG named .png as the image it is', async () => {
    expect(await sniff(samples.jpeg, 'photo.png')).toEqual({ contentType: 'image/jpeg' });
  });
});

describe('Utf8TextCheck', () => {
  it('follows characters split across chunks and finds NUL bytes and broken sequences later on', () => {
    const bytes = Buffer.from('aé€🔥b');
    for (let cut = 0; cut <= bytes.length; cut++) {
      const check = new Utf8TextCheck();
      expect(check.push(bytes.subarray(0, cut)) && check.push(bytes.subarray(cut)) && check.end()).toBe(true);
    }
    const nul = new Utf8TextCheck();
    expect(nul.push(Buffer.from('fine'))).toBe(true);
    expect(nul.push(Buffer.from([0x61, 0x00]))).toBe(false);
    const broken = new Utf8TextCheck();
    expect(broken.push(Buffer.from([0xe2, 0x82]))).toBe(true);
    expect(broken.push(Buffer.from([0x41]))).toBe(false);
    const unfinished = new Utf8TextCheck();
    expect(unfinished.push(Buffer.from([0x61, 0xf0, 0x9f]))).toBe(true);
    expect(unfinished.end()).toBe(false);
  });
});
