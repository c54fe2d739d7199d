// The console's one HTML page: style and script inline, so the single executable serves everything itself.
import { CONSOLE_JS } from './page-script.js';
import { CONSOLE_CSS } from './page-style.js';

export const CONSOLE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>fdfs console</title>
<style>${CONSOLE_CSS}</style>
</head>
<body>
<header>
  <h1>fdfs console</h1><span class="who" id="who"></span>
  <nav><a href="#/" data-route="cluster">Cluster</a><a href="#/file" data-route="file">File</a><a href="#/upload" data-route="upload">Upload</a></nav>
</header>
<main id="main"><p>Loading…</p></main>
<noscript>The console needs JavaScript; the same data is JSON under <a href="/api/">/api/</a>.</noscript>
<script>${CONSOLE_JS}</script>
</body>
</html>
`;
