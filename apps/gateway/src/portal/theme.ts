import type { PortalView } from '@helpdesk/contracts';

type Theme = PortalView['theme'];

const fontStacks: Record<Theme['fontFamily'], string> = {
  system: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
  inter: 'Inter, system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif',
  roboto: 'Roboto, system-ui, -apple-system, "Segoe UI", Arial, sans-serif',
  'open-sans': '"Open Sans", system-ui, -apple-system, "Segoe UI", Arial, sans-serif',
  lato: 'Lato, system-ui, -apple-system, "Segoe UI", Arial, sans-serif',
  georgia: 'Georgia, "Times New Roman", serif',
  merriweather: 'Merriweather, Georgia, "Times New Roman", serif',
};

/** The portal's default look (identity's defaults), for pages shown without a portal (unknown slug). */
export const DEFAULT_THEME: Theme = {
  primaryColor: '#1a5fb4',
  backgroundColor: '#f6f7f9',
  surfaceColor: '#ffffff',
  textColor: '#1f2328',
  fontFamily: 'system',
  logoUrl: null,
  cornerRadius: 8,
};

const channel = (hex: string, offset: number) => {
  const value = parseInt(hex.slice(offset, offset + 2), 16) / 255;
  return value <= 0.03928 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
};
/** WCAG relative luminance of a #rrggbb colour. */
export const luminance = (hex: string) =>
  0.2126 * channel(hex, 1) + 0.7152 * channel(hex, 3) + 0.0722 * channel(hex, 5);
/** WCAG contrast ratio of two #rrggbb colours (1 to 21). */
export const contrast = (a: string, b: string) => {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (light + 0.05) / (dark + 0.05);
};

const hex = /^#[0-9a-fA-F]{6}$/;
const safeColor = (value: string, fallback: string) => (hex.test(value) ? value : fallback);

/**
 * The theme as CSS custom properties (S6), by name. Every value is checked (colours are #rrggbb, the
 * radius a number, the font one of the known stacks), so nothing an admin typed can break out of a
 * declaration. Text on the primary colour is white or near-black, whichever contrasts more.
 */
export function themeVariables(theme: Theme): Record<string, string> {
  const primary = safeColor(theme.primaryColor, DEFAULT_THEME.primaryColor);
  const onPrimary = contrast(primary, '#ffffff') >= contrast(primary, '#111111') ? '#ffffff' : '#111111';
  const radius = Math.max(0, Math.min(24, Math.round(Number(theme.cornerRadius) || 0)));
  return {
    '--hd-primary': primary,
    '--hd-on-primary': onPrimary,
    '--hd-bg': safeColor(theme.backgroundColor, DEFAULT_THEME.backgroundColor),
    '--hd-surface': safeColor(theme.surfaceColor, DEFAULT_THEME.surfaceColor),
    '--hd-text': safeColor(theme.textColor, DEFAULT_THEME.textColor),
    '--hd-radius': `${radius}px`,
    '--hd-font': fontStacks[theme.fontFamily] ?? fontStacks.system,
  };
}

/**
 * The theme's variables as a rule for a `<style nonce>` block: for the whole page, or for one element
 * (the admin page's preview of the portal).
 */
export function themeCss(theme: Theme, selector = ':root'): string {
  const declarations = Object.entries(themeVariables(theme)).map(([name, value]) => `${name}:${value};`);
  return `${selector}{${declarations.join('')}}`;
}

/** A logo address the page may show: the gateway's own paths or https URLs; anything else is dropped. */
export function safeLogoUrl(url: string | null): string | null {
  if (!url) return null;
  if (/^\/[^/\\]/.test(url)) return url;
  try {
    return new URL(url).protocol === 'https:' ? url : null;
  } catch {
    return null;
  }
}
