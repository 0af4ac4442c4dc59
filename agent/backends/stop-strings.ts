/**
 * Stop strings, applied on our side as well as the server's: servers differ in how many stop
 * strings they accept (OpenAI: 4) and whether they strip them, so the text a Hearth backend
 * returns always ends right before the earliest stop string, whoever produced it.
 */
export function truncateAtStop(text: string, stop: readonly string[] | undefined): { text: string; stopped: boolean } {
  if (!stop || stop.length === 0) return { text, stopped: false };
  let cut = -1;
  for (const s of stop) {
    if (s === '') continue;
    const at = text.indexOf(s);
    if (at >= 0 && (cut < 0 || at < cut)) cut = at;
  }
  return cut < 0 ? { text, stopped: false } : { text: text.slice(0, cut), stopped: true };
}
