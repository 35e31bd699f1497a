const listItem = /^\s*([-*+]|\d+[.)])\s/;

// Runbook descriptions are Markdown; a terminal shows them as text: soft line breaks joined so
// paragraphs wrap to the pane, list items and blank lines kept, emphasis and heading marks
// dropped, code spans kept as written.
export function markdownToText(markdown: string): string {
  const out: string[] = [];
  for (const raw of markdown.trim().split('\n')) {
    const line = raw.replace(/^#{1,6}\s+/, '').replace(/(\*\*|__)(.+?)\1/g, '$2');
    const previous = out.at(-1);
    const continues =
      previous !== undefined && previous.trim() !== '' && line.trim() !== '' && !listItem.test(line);
    if (continues) out[out.length - 1] = `${previous} ${line.trim()}`;
    else out.push(line.trimEnd());
  }
  return out.join('\n');
}
