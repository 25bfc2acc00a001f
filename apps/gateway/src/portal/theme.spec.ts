import { describe, expect, it } from '@jest/globals';
import { contrast, DEFAULT_THEME, safeLogoUrl, themeCss } from './theme.js';

/** What CSS color-mix(in srgb, a p%, b) gives, for checking the derived colours of the stylesheet. */
const mix = (a: string, b: string, share: number) => {
  const channel = (hex: string, i: number) => parseInt(hex.slice(1 + 2 * i, 3 + 2 * i), 16);
  return `#${[0, 1, 2]
    .map((i) =>
      Math.round(channel(a, i) * share + channel(b, i) * (1 - share))
        .toString(16)
        .padStart(2, '0'),
    )
    .join('')}`;
};

describe('the default theme', () => {
  const { primaryColor, backgroundColor, surfaceColor, textColor } = DEFAULT_THEME;

  it('meets WCAG AA contrast for text, muted text and buttons', () => {
    expect(contrast(textColor, surfaceColor)).toBeGreaterThanOrEqual(7);
    expect(contrast(textColor, backgroundColor)).toBeGreaterThanOrEqual(7);
    const muted = mix(textColor, surfaceColor, 0.68); // --muted in portal.css
    expect(contrast(muted, surfaceColor)).toBeGreaterThanOrEqual(4.5);
    expect(contrast(muted, backgroundColor)).toBeGreaterThanOrEqual(4.5);
    expect(contrast(primaryColor, '#ffffff')).toBeGreaterThanOrEqual(4.5); // primary buttons, links
    expect(contrast(primaryColor, mix(primaryColor, surfaceColor, 0.1))).toBeGreaterThanOrEqual(4.5); // current nav item
    expect(contrast('#0f5223', '#e6f4ea')).toBeGreaterThanOrEqual(4.5); // Open badge
  });
});

describe('themeCss', () => {
  it('writes the theme as custom properties with readable text on the primary colour', () => {
    const css = themeCss({
      ...DEFAULT_THEME,
      primaryColor: '#ffd400',
      cornerRadius: 12,
      fontFamily: 'georgia',
    });
    expect(css).toContain('--hd-primary:#ffd400;');
    expect(css).toContain('--hd-on-primary:#111111;');
    expect(css).toContain('--hd-radius:12px;');
    expect(css).toContain('--hd-font:Georgia');
    expect(themeCss(DEFAULT_THEME)).toContain('--hd-on-primary:#ffffff;');
  });

  it('lets nothing but a colour into a colour declaration', () => {
    const css = themeCss({ ...DEFAULT_THEME, textColor: 'red;}</style><script>', cornerRadius: 999 });
    expect(css).not.toContain('<');
    expect(css).toContain(`--hd-text:${DEFAULT_THEME.textColor};`);
    expect(css).toContain('--hd-radius:24px;');
  });

  it('shows only logos from the gateway or over https', () => {
    expect(safeLogoUrl('/files/logo.png')).toBe('/files/logo.png');
    expect(safeLogoUrl('https://cdn.example.com/logo.svg')).toBe('https://cdn.example.com/logo.svg');
    expect(safeLogoUrl('javascript:alert(1)')).toBeNull();
    expect(safeLogoUrl('//evil.example/logo.png')).toBeNull();
    expect(safeLogoUrl('http://example.com/logo.png')).toBeNull();
  });
});
