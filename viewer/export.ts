/**
 * `hearth view --export`: one self-contained HTML file holding the built viewer (script and
 * stylesheet inlined) and one episode, to open from disk or share.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DIST_DIR } from './build.ts';

/** Keep `</script>` and `<!--` out of inline script text (the HTML parser would end the element early). */
function safeScript(text: string): string {
  return text.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

/** JSONL with every `<` written as `\u003c`: `<` occurs only inside JSON strings, so each line still parses the same. */
function safeJsonl(text: string): string {
  return text.replace(/</g, '\\u003c');
}

const escapeAttr = (s: string): string => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

export function exportHtml(logText: string, name: string, distDir = DIST_DIR): string {
  let html = readFileSync(resolve(distDir, 'index.html'), 'utf8');
  const script = /<script type="module" crossorigin src="\.\/([^"]+)"><\/script>/.exec(html);
  const style = /<link rel="stylesheet" crossorigin href="\.\/([^"]+)">/.exec(html);
  if (!script || !style) throw new Error(`viewer build ${distDir}/index.html has no script or stylesheet tag to inline`);
  const js = readFileSync(resolve(distDir, script[1]), 'utf8');
  const css = readFileSync(resolve(distDir, style[1]), 'utf8');
  const episode = `<script type="application/x-ndjson" id="hearth-episode" data-name="${escapeAttr(name)}">\n${safeJsonl(logText)}</script>`;
  html = html.replace(style[0], () => `<style>\n${css.replace(/<\/(style)/gi, '<\\/$1')}\n</style>`);
  html = html.replace(script[0], () => `${episode}\n<script type="module">\n${safeScript(js)}\n</script>`);
  return html;
}
