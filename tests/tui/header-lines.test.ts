import { describe, expect, it } from 'vitest';
import type { EngineView } from '../../src/engine/engine-api.js';
import { headerInfoLines } from '../../src/tui/lines/header-lines.js';
import { plainText } from '../../src/tui/styled-line.js';
import { themeFor } from '../../src/tui/theme.js';

const text = (view: Partial<EngineView>) =>
  headerInfoLines({ view: { connections: [], ...view } as EngineView, width: 120, theme: themeFor({ color: false, unicode: true }), warnSsh: false })
    .map(plainText)
    .join('\n');

describe("the header's attached line", () => {
  it('names a front end attached through the state database by its role and host', () => {
    expect(
      text({
        clients: [
          { user: 'ana', role: 'operator', host: 'bastion-a' },
          { user: 'alice', display: 'Alice', role: 'operator', host: 'bastion-b', throughDatabase: true },
          { user: 'carol', display: 'carol', role: 'watcher', host: 'bastion-c', throughDatabase: true },
        ],
      }),
    ).toBe(' attached: ana, alice@bastion-b (Alice), carol@bastion-c watching');
  });
});
