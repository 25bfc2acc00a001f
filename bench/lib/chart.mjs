// Line charts for the benchmarks' results: SVG written here, turned into a PNG by Debian's Chromium
// driven by playwright-core (as the browser tests do; playwright's own browser download does not
// work here).
import { writeFileSync } from 'node:fs';

const COLOURS = [
  '#1f77b4',
  '#d62728',
  '#2ca02c',
  '#ff7f0e',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#17becf',
  '#bcbd22',
  '#7f7f7f',
  '#aec7e8',
  '#ffbb78',
  '#98df8a',
  '#ff9896',
];
const escapeXml = (text) =>
  String(text).replace(
    /[&<>"]/g,
    (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[char],
  );

/** A tick step of 1, 2 or 5 × 10ⁿ giving about five ticks up to `max`. */
function tickStep(max) {
  const rough = max / 5;
  const power = 10 ** Math.floor(Math.log10(rough));
  return [1, 2, 5, 10].map((m) => m * power).find((step) => step >= rough);
}

/**
 * One chart as SVG: `series` are `{ name, points: [[x, y], …] }`, drawn as lines with dots over a
 * shared x axis from 0; the y axis starts at 0 too, so growth reads as it is.
 */
export function lineChart({ title, xLabel, yLabel, series, width = 900, height = 340 }) {
  const margin = { top: 36, right: 190, bottom: 44, left: 64 };
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const points = series.flatMap((s) => s.points).filter(([, y]) => Number.isFinite(y));
  const xMax = Math.max(1, ...points.map(([x]) => x));
  const yStep = tickStep(Math.max(1e-9, ...points.map(([, y]) => y)) * 1.05);
  const yMax = yStep * Math.ceil(Math.max(1e-9, ...points.map(([, y]) => y)) / yStep);
  const xStep = tickStep(xMax);
  const px = (x) => margin.left + (x / xMax) * plotWidth;
  const py = (y) => margin.top + plotHeight - (y / yMax) * plotHeight;
  let svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`;
  svg += `<rect width="${width}" height="${height}" fill="#fff"/>`;
  svg += `<text x="${margin.left}" y="22" font-size="15" font-weight="bold">${escapeXml(title)}</text>`;
  for (let y = 0; y <= yMax + yStep / 2; y += yStep) {
    svg += `<line x1="${margin.left}" x2="${margin.left + plotWidth}" y1="${py(y)}" y2="${py(y)}" stroke="#e4e4e4"/>`;
    svg += `<text x="${margin.left - 6}" y="${py(y) + 4}" text-anchor="end">${+y.toPrecision(6)}</text>`;
  }
  for (let x = 0; x <= xMax + xStep / 2; x += xStep)
    svg += `<text x="${px(x)}" y="${margin.top + plotHeight + 16}" text-anchor="middle">${+x.toPrecision(6)}</text>`;
  svg += `<line x1="${margin.left}" x2="${margin.left + plotWidth}" y1="${py(0)}" y2="${py(0)}" stroke="#333"/>`;
  svg += `<line x1="${margin.left}" x2="${margin.left}" y1="${margin.top}" y2="${py(0)}" stroke="#333"/>`;
  svg += `<text x="${margin.left + plotWidth / 2}" y="${height - 8}" text-anchor="middle">${escapeXml(xLabel)}</text>`;
  svg += `<text transform="translate(16 ${margin.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">${escapeXml(yLabel)}</text>`;
  series.forEach((s, i) => {
    const colour = COLOURS[i % COLOURS.length];
    const drawn = s.points.filter(([, y]) => Number.isFinite(y));
    svg += `<polyline fill="none" stroke="${colour}" stroke-width="2" points="${drawn.map(([x, y]) => `${px(x)},${py(y)}`).join(' ')}"/>`;
    for (const [x, y] of drawn) svg += `<circle cx="${px(x)}" cy="${py(y)}" r="2.5" fill="${colour}"/>`;
    const legendY = margin.top + 8 + i * 18;
    svg += `<line x1="${width - margin.right + 16}" x2="${width - margin.right + 40}" y1="${legendY}" y2="${legendY}" stroke="${colour}" stroke-width="3"/>`;
    svg += `<text x="${width - margin.right + 46}" y="${legendY + 4}">${escapeXml(s.name)}</text>`;
  });
  return `${svg}</svg>`;
}

/** Renders the SVG charts one under the other into a PNG at `file`. */
export async function chartsToPng(charts, file, chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium') {
  const { chromium: driver } = await import('playwright-core');
  const browser = await driver.launch({
    executablePath: chromium,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 920, height: 400 } });
    const html = `<!doctype html><meta charset="utf-8"><body style="margin:0;background:#fff"><div id="charts" style="display:inline-block;padding:10px">${charts.join('<br>')}</div>`;
    await page.setContent(html);
    writeFileSync(file, await page.locator('#charts').screenshot({ type: 'png' }));
  } finally {
    await browser.close();
  }
}
