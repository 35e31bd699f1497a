// Runbook descriptions are Markdown; a terminal shows them as text: emphasis markers and heading
// marks dropped, code spans and lists kept as written.
export function markdownToText(markdown: string): string {
  return markdown
    .trim()
    .split('\n')
    .map((line) => line.replace(/^#{1,6}\s+/, '').replace(/(\*\*|__)(.+?)\1/g, '$2'))
    .join('\n');
}
