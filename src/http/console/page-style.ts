// The console's stylesheet, inlined into the page (the single executable serves no files and uses no CDN).
export const CONSOLE_CSS = `
:root{--bg:#f6f7f9;--card:#fff;--ink:#1d232b;--mute:#6b7480;--line:#e2e6ea;--ok:#1a8f4c;--warn:#b7791f;--bad:#c53030;--acc:#2b6cb0}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;background:var(--bg);color:var(--ink)}
header{display:flex;align-items:center;gap:18px;padding:10px 20px;background:#1d232b;color:#fff}
header h1{font-size:16px;margin:0;font-weight:600}header .who{color:#aeb6c0;font-size:13px}
header nav{margin-left:auto;display:flex;gap:4px}header nav a{color:#dfe4ea;text-decoration:none;padding:5px 10px;border-radius:5px}
header nav a.on,header nav a:hover{background:#38414d;color:#fff}
main{padding:18px 20px;max-width:1280px;margin:0 auto}
section.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:14px 16px;margin-bottom:16px}
h2{font-size:15px;margin:0 0 10px}h3{font-size:14px;margin:12px 0 6px}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:5px 8px;border-bottom:1px solid var(--line);white-space:nowrap}
th{color:var(--mute);font-weight:500;font-size:12px;text-transform:uppercase;letter-spacing:.03em}td.num{text-align:right;font-variant-numeric:tabular-nums}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;background:#edf2f7;color:var(--mute)}
.badge.ACTIVE,.badge.yes{background:#e6f6ec;color:var(--ok)}.badge.ONLINE,.badge.SYNCING,.badge.WAIT_SYNC,.badge.INIT,.badge.RECOVERY{background:#fdf3e1;color:var(--warn)}
.badge.OFFLINE,.badge.no,.badge.DELETED,.badge.IP_CHANGED{background:#fdecec;color:var(--bad)}.badge.leader{background:#e8f0fb;color:var(--acc)}
.bar{height:8px;background:#edf2f7;border-radius:4px;overflow:hidden;min-width:90px}.bar i{display:block;height:100%;background:var(--acc)}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(360px,1fr));gap:16px}
.chart svg{width:100%;height:auto;display:block}.chart .legend{font-size:12px;color:var(--mute);display:flex;flex-wrap:wrap;gap:10px}
.chart .legend b{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:4px;vertical-align:-1px}
form.row{display:flex;gap:8px;flex-wrap:wrap;align-items:center}input,select,button{font:inherit;padding:6px 9px;border:1px solid #cbd2d9;border-radius:5px;background:#fff}
input.id{flex:1;min-width:380px;font-family:ui-monospace,Menlo,monospace}button{background:var(--acc);border-color:var(--acc);color:#fff;cursor:pointer}
button.plain{background:#fff;color:var(--acc)}.mono{font-family:ui-monospace,Menlo,monospace;font-size:13px}.mute{color:var(--mute)}
.err{color:var(--bad);font-weight:500}.preview img{max-width:100%;max-height:360px;border:1px solid var(--line);border-radius:6px;margin-top:8px}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0}dl.facts dt{color:var(--mute)}dl.facts dd{margin:0}
`;
