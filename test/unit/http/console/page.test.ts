// The console page is self-contained (the single executable serves nothing else, no CDN) and its inline
// script parses; the script builds the DOM with textContent, never from HTML strings.
import { describe, it, expect } from 'vitest';
import { Script } from 'node:vm';
import { CONSOLE_HTML } from '../../../../src/http/console/page.js';
import { CONSOLE_JS } from '../../../../src/http/console/page-script.js';

describe('console page', () => {
  it('loads nothing from elsewhere: no external scripts, styles, fonts or images', () => {
    expect(CONSOLE_HTML).not.toMatch(/<script[^>]+src=/);
    expect(CONSOLE_HTML).not.toMatch(/<link[^>]+href=/);
    expect(CONSOLE_HTML).not.toMatch(/@import|url\(|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
  });

  it('its script parses as plain JavaScript and never assigns HTML', () => {
    expect(() => new Script(CONSOLE_JS)).not.toThrow();
    expect(CONSOLE_JS).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
    expect(CONSOLE_HTML).toContain(CONSOLE_JS.trim().slice(0, 40));
  });
});
