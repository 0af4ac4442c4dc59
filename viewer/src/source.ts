/**
 * Where the episode comes from: embedded in the page (a `hearth view --export` file), a
 * `?log=URL`, or the local server's episode list (`hearth view`), where `?episode=N` or
 * `?name=PATH` (the log's path relative to the run directory, as a suite report links it)
 * picks one and a run directory with several episodes shows a chooser.
 */

export type Source =
  | { kind: 'text'; text: string; name: string }
  | { kind: 'choose'; episodes: { name: string; bytes: number }[] }
  | { kind: 'error'; message: string };

async function fetchText(url: string): Promise<string> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status} ${await r.text()}`);
  return r.text();
}

export async function findSource(): Promise<Source> {
  const embedded = document.getElementById('hearth-episode');
  // The export puts the log on the line after the opening tag.
  if (embedded?.textContent) return { kind: 'text', text: embedded.textContent.replace(/^\r?\n/, ''), name: embedded.dataset.name ?? 'episode' };
  const params = new URLSearchParams(location.search);
  try {
    const log = params.get('log');
    if (log) return { kind: 'text', text: await fetchText(log), name: log };
    const list = JSON.parse(await fetchText('api/episodes')) as { episodes: { name: string; bytes: number }[] };
    const name = params.get('name');
    if (name !== null) {
      const i = list.episodes.findIndex((e) => e.name === name);
      if (i < 0) return { kind: 'error', message: `no episode named ${name}: is the viewer serving that run directory (hearth view DIR)?` };
      return { kind: 'text', text: await fetchText(`api/episodes/${i}`), name };
    }
    const pick = params.get('episode');
    if (pick !== null) {
      const i = Number(pick);
      const e = list.episodes[i];
      if (!e) return { kind: 'error', message: `no episode ${pick}: the server lists ${list.episodes.length}` };
      return { kind: 'text', text: await fetchText(`api/episodes/${i}`), name: e.name };
    }
    if (list.episodes.length === 1) return { kind: 'text', text: await fetchText('api/episodes/0'), name: list.episodes[0].name };
    if (list.episodes.length === 0) return { kind: 'error', message: 'the server lists no episodes' };
    return { kind: 'choose', episodes: list.episodes };
  } catch (e) {
    return { kind: 'error', message: `cannot load the episode: ${(e as Error).message}` };
  }
}

export function showChooser(root: HTMLElement, list: HTMLElement, episodes: { name: string; bytes: number }[]): void {
  list.replaceChildren(...episodes.map((e, i) => {
    const li = document.createElement('li');
    const a = document.createElement('a');
    a.href = `?episode=${i}`;
    a.textContent = e.name;
    li.append(a, document.createTextNode(` (${(e.bytes / 1024).toFixed(1)} KiB)`));
    return li;
  }));
  root.hidden = false;
}
