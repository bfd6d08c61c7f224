// The console's only script: calls the API with the pasted token (no inline script, so the CSP needs no 'unsafe-inline').
const out = document.getElementById("out");
const token = () => document.getElementById("token").value.trim();
async function call(method, path, body) {
  out.textContent = "…";
  try {
    const headers = { "Authorization": "Bearer " + token() };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const resp = await fetch(path, { method, headers, body });
    const text = await resp.text();
    let shown = text;
    try { shown = JSON.stringify(JSON.parse(text), null, 2); } catch (e) {}
    out.textContent = resp.status + " " + resp.statusText + "\n\n" + shown;
  } catch (e) {
    out.textContent = "request failed: " + e;
  }
}
document.getElementById("submit").onclick = () => call("POST", "/api/v1/submissions", document.getElementById("bundle").value);
document.getElementById("obligations").onclick = () => call("GET", "/api/v1/obligations");
