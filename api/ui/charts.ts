// Server-rendered SVG charts: numbers in, markup out. Every chart has a text alternative and a data table.
import { html, tableWrap, type SafeHtml } from './html';

export interface Series {
  name: string;
  /** A CSS class from ui.css (colour and pattern live there, not here). */
  cls: string;
  values: Array<number | null>;
}

const W = 640;
const H = 200;
const PAD = { l: 44, r: 12, t: 12, b: 28 };

const niceMax = (v: number) => {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (v <= m * p) return m * p;
  return 10 * p;
};

function axes(max: number, labels: string[], unit: string): SafeHtml {
  const iw = W - PAD.l - PAD.r;
  const ih = H - PAD.t - PAD.b;
  const ticks = [0, 0.5, 1].map((f) => {
    const y = PAD.t + ih * (1 - f);
    return html`<line class="grid" x1="${PAD.l}" x2="${W - PAD.r}" y1="${y}" y2="${y}"/><text class="tick" x="${PAD.l - 6}" y="${y + 4}" text-anchor="end">${fmt(max * f)}${unit}</text>`;
  });
  const step = Math.max(1, Math.ceil(labels.length / 6));
  const xs = labels.map((l, i) =>
    i % step === 0
      ? html`<text class="tick" x="${PAD.l + (iw * (i + 0.5)) / labels.length}" y="${H - 8}" text-anchor="middle">${l}</text>`
      : '',
  );
  return html`${ticks}${xs}`;
}

const fmt = (n: number) => (n >= 10_000 ? `${Math.round(n / 1000)}k` : Number.isInteger(n) ? String(n) : n.toFixed(1));

function table(caption: string, labels: string[], series: Series[], unit: string): SafeHtml {
  return html`<details class="chart-data"><summary>Data: ${caption}</summary>${tableWrap(`Data table: ${caption}`)}<table>
    <thead><tr><th scope="col">Period</th>${series.map((s) => html`<th scope="col">${s.name}</th>`)}</tr></thead>
    <tbody>${labels.map((l, i) => html`<tr><th scope="row">${l}</th>${series.map((s) => html`<td>${s.values[i] === null ? '—' : `${fmt(s.values[i] as number)}${unit}`}</td>`)}</tr>`)}</tbody>
  </table></div></details>`;
}

function legend(series: Series[]): SafeHtml {
  return html`<ul class="legend">${series.map((s) => html`<li><span class="swatch ${s.cls}" aria-hidden="true"></span>${s.name}</li>`)}</ul>`;
}

/** Stacked bars (counts). `summary` is the chart's text alternative. */
export function stackedBars(title: string, summary: string, labels: string[], series: Series[]): SafeHtml {
  if (labels.length === 0) return html`<p class="empty">${title}: no data in this period.</p>`;
  const totals = labels.map((_, i) => series.reduce((a, s) => a + (s.values[i] ?? 0), 0));
  const max = niceMax(Math.max(...totals));
  const iw = W - PAD.l - PAD.r;
  const ih = H - PAD.t - PAD.b;
  const bw = Math.max(1, (iw / labels.length) * 0.8);
  const bars = labels.map((_, i) => {
    let y = PAD.t + ih;
    return series.map((s) => {
      const v = s.values[i] ?? 0;
      if (!v) return '';
      const h = (ih * v) / max;
      y -= h;
      return html`<rect class="${s.cls}" x="${(PAD.l + (iw * i) / labels.length + (iw / labels.length - bw) / 2).toFixed(1)}" y="${y.toFixed(1)}" width="${bw.toFixed(1)}" height="${h.toFixed(1)}"/>`;
    });
  });
  return html`<figure class="chart"><figcaption>${title}</figcaption>
    <svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${title}: ${summary}" preserveAspectRatio="xMidYMid meet">${axes(max, labels, '')}${bars}</svg>
    ${legend(series)}${table(title, labels, series, '')}</figure>`;
}

/** Lines (rates, durations, scores); null values break the line. */
export function lines(title: string, summary: string, labels: string[], series: Series[], unit = '', fixedMax?: number): SafeHtml {
  if (labels.length === 0) return html`<p class="empty">${title}: no data in this period.</p>`;
  const vals = series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const max = fixedMax ?? niceMax(Math.max(0, ...vals));
  const iw = W - PAD.l - PAD.r;
  const ih = H - PAD.t - PAD.b;
  const x = (i: number) => PAD.l + (iw * (i + 0.5)) / labels.length;
  const y = (v: number) => PAD.t + ih * (1 - v / max);
  const paths = series.map((s) => {
    let d = '';
    let pen = false;
    s.values.forEach((v, i) => {
      if (v === null) return void (pen = false);
      d += `${pen ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
      pen = true;
    });
    const dots = s.values.map((v, i) =>
      v === null ? '' : html`<circle class="${s.cls}" cx="${x(i).toFixed(1)}" cy="${y(v).toFixed(1)}" r="3"/>`,
    );
    return html`<path class="line ${s.cls}" d="${d}"/>${dots}`;
  });
  return html`<figure class="chart"><figcaption>${title}</figcaption>
    <svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${title}: ${summary}" preserveAspectRatio="xMidYMid meet">${axes(max, labels, unit)}${paths}</svg>
    ${legend(series)}${table(title, labels, series, unit)}</figure>`;
}
