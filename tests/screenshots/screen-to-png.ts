import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { initWasm, Resvg } from '@resvg/resvg-wasm';
import ansiToSvg from 'ansi-to-svg';
import stringWidth from 'string-width';

const require = createRequire(import.meta.url);

// A dark terminal palette for the 16 named colours (the TUI uses no others).
const colors = {
  black: '#1e1e1e',
  red: '#f14c4c',
  green: '#23d18b',
  yellow: '#e5c07b',
  blue: '#3b8eea',
  magenta: '#d670d6',
  cyan: '#29b8db',
  white: '#d4d4d4',
  gray: '#7f7f7f',
  redBright: '#ff6b6b',
  greenBright: '#5af78e',
  yellowBright: '#f5f543',
  blueBright: '#62a8f5',
  magentaBright: '#ff79c6',
  cyanBright: '#5fd7ff',
  whiteBright: '#ffffff',
  bgBlack: '#1e1e1e',
  bgRed: '#b22222',
  bgGreen: '#1f7a4d',
  bgYellow: '#b58900',
  bgBlue: '#264f78',
  bgMagenta: '#7a3e9d',
  bgCyan: '#0e6d80',
  bgWhite: '#d4d4d4',
  bgGray: '#4d4d4d',
  bgRedBright: '#ff4d4d',
  bgGreenBright: '#2ea043',
  bgYellowBright: '#d7ba3d',
  bgBlueBright: '#3b8eea',
  bgMagentaBright: '#d670d6',
  bgCyanBright: '#29b8db',
  bgWhiteBright: '#ffffff',
  backgroundColor: '#1e1e1e',
  foregroundColor: '#d4d4d4',
};

const fontFamily = 'DejaVu Sans Mono';
const ttf = (name: string) => join(require.resolve('dejavu-fonts-ttf/package.json'), '..', 'ttf', name);
const fonts = ['DejaVuSansMono.ttf', 'DejaVuSansMono-Bold.ttf', 'DejaVuSans.ttf'].map(
  (name) => new Uint8Array(readFileSync(ttf(name))),
);

const sgr = /\x1b\[([0-9;]*)m/g;

// ansi-to-svg draws dim text at full brightness: dim text in the default colour becomes gray,
// which is how terminals show it. Every row is padded to the pane's width (so each image shows
// the whole pane) after a full reset, and the style in force is set again at the next row.
export function prepareScreen(ansi: string, columns: number): string {
  let active: string[] = [];
  let dim = false;
  let fg = false;
  let grayed = false;
  // One sequence per code: ansi-to-svg's parser reads only the first code of `ESC[0;1m`.
  const restyle = (codes: string[]) => {
    const gray = dim && !fg ? ['90'] : grayed && !fg ? ['39'] : [];
    grayed = dim && !fg;
    return [...codes, ...gray].map((code) => `\x1b[${code}m`).join('');
  };
  const rows = ansi.replace(/\n$/, '').split('\n');
  return rows
    .map((row) => {
      grayed = false;
      const carried = active.length ? restyle(active) : '';
      const out = row.replace(sgr, (_all, params: string) => {
        const codes = params === '' ? ['0'] : params.split(';');
        const kept: string[] = [];
        for (let i = 0; i < codes.length; i++) {
          const code = Number(codes[i]);
          // 256 or true colour: ansi-to-svg knows only the 16 named ones (hence TERM=xterm).
          if (code === 38 || code === 48) {
            i += codes[i + 1] === '5' ? 2 : 4;
            continue;
          }
          kept.push(codes[i]);
          if (code === 0) [active, dim, fg] = [[], false, false];
          else active.push(codes[i]);
          if (code === 2) dim = true;
          else if (code === 22) dim = false;
          else if (code === 39) fg = false;
          else if ((code >= 30 && code <= 37) || (code >= 90 && code <= 97)) fg = true;
        }
        return restyle(kept);
      });
      return `${carried}${out}\x1b[0m${' '.repeat(Math.max(0, columns - stringWidth(row)))}`;
    })
    .join('\n');
}

// SVG collapses runs of spaces inside a <text> (columns would close up) and drops leading ones
// (ansi-to-svg moves x past those): the inner spaces become no-break spaces.
function keepSpaces(svg: string): string {
  return svg.replace(
    /(<text[^>]*>)([^<]*)(<\/text>)/g,
    (_all, open: string, text: string, close: string) =>
      `${open}${text.replace(/^ +/, '').replaceAll(' ', '&#xA0;')}${close}`,
  );
}

export function screenToSvg(ansi: string, columns: number): string {
  const svg = ansiToSvg(prepareScreen(ansi, columns), {
    fontFamily,
    lineHeight: 16,
    paddingTop: 10,
    paddingLeft: 12,
    paddingBottom: 10,
    paddingRight: 12,
    colors,
  });
  return keepSpaces(svg);
}

let wasmReady: Promise<void> | undefined;

export async function svgToPng(svg: string): Promise<Buffer> {
  wasmReady ??= initWasm(readFileSync(require.resolve('@resvg/resvg-wasm/index_bg.wasm')));
  await wasmReady;
  const resvg = new Resvg(svg, {
    font: { fontBuffers: fonts, defaultFontFamily: fontFamily },
    fitTo: { mode: 'zoom', value: 1.5 },
  });
  return Buffer.from(resvg.render().asPng());
}
