/**
 * The text `berth render` prints: each rendered file under a header line
 * (`# /etc/httpd.conf (from web/httpd.conf.njk, 0644, on change: reload)`),
 * secrets redacted unless asked.
 */
import { redact } from './redact.js';
import type { RenderedFile } from './render-unit.js';

/** Formats rendered files; `secretValues` are shown as ••• unless `showSecrets`. */
export function formatRenderedFiles(unit: string, files: RenderedFile[], options: { secretValues?: string[]; showSecrets?: boolean } = {}): string {
  if (files.length === 0) return `# ${unit} has no templates\n`;
  const hide = (s: string) => (options.showSecrets ? s : redact(s, options.secretValues ?? []));
  return files
    .map((f) => {
      const mode = f.mode.toString(8).padStart(4, '0');
      const body = f.content.endsWith('\n') || f.content === '' ? f.content : `${f.content}\n`;
      return `# ${f.dest} (from ${f.src}, ${mode}, on change: ${f.onChange})\n${hide(body)}`;
    })
    .join('');
}
