// The Prometheus text exposition format (what every /metrics here answers), read into series: sample name → the
// label sets it was exported with. Histograms arrive as their `_bucket` / `_sum` / `_count` samples, as PromQL
// queries them. https://prometheus.io/docs/instrumenting/exposition_formats/

export type ScrapedSeries = Map<string, Array<Record<string, string>>>;

/** Pure: adds every sample line of `text` to `into` (several endpoints can be merged into one map). */
export function parseExposition(text: string, into: ScrapedSeries = new Map()): ScrapedSeries {
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const brace = line.indexOf('{');
    const space = line.indexOf(' ');
    const nameEnd = brace >= 0 && (space < 0 || brace < space) ? brace : space;
    if (nameEnd <= 0) continue;
    const name = line.slice(0, nameEnd);
    const labels: Record<string, string> = {};
    if (line[nameEnd] === '{') {
      let i = nameEnd + 1;
      while (i < line.length && line[i] !== '}') {
        if (line[i] === ',' || line[i] === ' ') {
          i++;
          continue;
        }
        const eq = line.indexOf('=', i);
        const label = line.slice(i, eq).trim();
        let j = eq + 2; // past ="
        let value = '';
        while (j < line.length && line[j] !== '"') {
          if (line[j] === '\\') {
            const next = line[j + 1];
            value += next === 'n' ? '\n' : next;
            j += 2;
          } else value += line[j++];
        }
        labels[label] = value;
        i = j + 1;
      }
    }
    const list = into.get(name) ?? [];
    list.push(labels);
    into.set(name, list);
  }
  return into;
}
