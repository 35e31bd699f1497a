// `{{ … }}` templates (runbooks/README.md, "Templates and bound parameters"): the only references a runbook may make.

export type TemplateRef =
  | { kind: 'var'; name: string; ident: boolean }
  | { kind: 'conn'; name: string }
  | { kind: 'run'; field: 'id' | 'operator' };

export interface TemplateMatch {
  start: number;
  end: number;
  // What is between the braces, trimmed, for messages.
  expr: string;
  // Undefined when the expression is not one of the allowed forms.
  ref?: TemplateRef;
}

const templatePattern = /\{\{([^{}\n]*)\}\}/g;

function parseRef(expr: string): TemplateRef | undefined {
  const variable = /^(ident\s+)?vars\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(expr);
  if (variable) return { kind: 'var', name: variable[2], ident: variable[1] !== undefined };
  const conn = /^conn\.([A-Za-z_][A-Za-z0-9_-]*)\.url$/.exec(expr);
  if (conn) return { kind: 'conn', name: conn[1] };
  const run = /^run\.(id|operator)$/.exec(expr);
  if (run) return { kind: 'run', field: run[1] as 'id' | 'operator' };
  return undefined;
}

export function findTemplates(text: string): TemplateMatch[] {
  return [...text.matchAll(templatePattern)].map((m) => {
    const expr = m[1].trim().replace(/\s+/g, ' ');
    return { start: m.index, end: m.index + m[0].length, expr, ref: parseRef(expr) };
  });
}

// Replaces each template with what `replace` returns, left to right.
export function replaceTemplates(text: string, replace: (match: TemplateMatch) => string): string {
  let out = '';
  let last = 0;
  for (const match of findTemplates(text)) {
    out += text.slice(last, match.start) + replace(match);
    last = match.end;
  }
  return out + text.slice(last);
}
