import { createContext } from 'react';
import { type Glyphs, glyphsFor } from './glyphs.js';
import type { TerminalCaps } from '../format/terminal-caps.js';

export interface Theme {
  color: boolean;
  ascii: boolean;
  glyphs: Glyphs;
}

export function themeFor(caps: Pick<TerminalCaps, 'color' | 'unicode'>): Theme {
  return { color: caps.color, ascii: !caps.unicode, glyphs: glyphsFor(caps.unicode) };
}

export const ThemeContext = createContext<Theme>(themeFor({ color: true, unicode: true }));
