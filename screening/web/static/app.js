// screening web page: progress polling, drag-and-drop upload, sorting and filtering the results table.
// Plain JavaScript, no library; served from this server only (the page's CSP allows nothing else).
"use strict";

function pollProgress() {
  const box = document.getElementById("progress");
  if (!box) return;
  const url = box.dataset.statusUrl;
  const bar = document.getElementById("bar");
  const stage = document.getElementById("stage");
  const count = document.getElementById("count");
  const tick = async () => {
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!response.ok) throw new Error("status " + response.status);
      const state = await response.json();
      bar.value = state.percent;
      stage.textContent = state.stage;
      count.textContent = state.total ? `${state.done} of ${state.total}` : "";
      if (state.status === "done" || state.status === "failed") {
        window.location.reload();
        return;
      }
    } catch (err) {
      stage.textContent = "Waiting for the server…";
    }
    window.setTimeout(tick, 400);
  };
  tick();
}

function dropUpload() {
  const zone = document.getElementById("dropzone");
  const input = document.getElementById("file");
  if (!zone || !input) return;
  ["dragenter", "dragover"].forEach((name) => zone.addEventListener(name, (event) => {
    event.preventDefault();
    zone.classList.add("over");
  }));
  ["dragleave", "drop"].forEach((name) => zone.addEventListener(name, () => zone.classList.remove("over")));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    if (event.dataTransfer && event.dataTransfer.files.length) {
      input.files = event.dataTransfer.files;
      document.getElementById("upload-form").requestSubmit();
    }
  });
}

function resultsTable() {
  const table = document.getElementById("results");
  if (!table) return;
  const bodies = () => Array.from(table.querySelectorAll("tbody.result-row"));
  const shown = document.getElementById("shown-count");
  const text = document.getElementById("text-filter");
  const bands = Array.from(document.querySelectorAll(".band-filter"));

  const filter = () => {
    const wanted = new Set(bands.filter((b) => b.checked).map((b) => b.value));
    const needle = (text.value || "").trim().toLowerCase();
    let visible = 0;
    bodies().forEach((body) => {
      const ok = wanted.has(body.dataset.band) && (!needle || body.textContent.toLowerCase().includes(needle));
      body.hidden = !ok;
      if (ok) visible += 1;
    });
    shown.textContent = `${visible} of ${bodies().length} rows shown`;
  };
  bands.forEach((b) => b.addEventListener("change", filter));
  text.addEventListener("input", filter);

  let current = { key: null, descending: false };
  table.querySelectorAll("th.sortable").forEach((th) => {
    th.tabIndex = 0;
    const sort = () => {
      const key = th.dataset.sort;
      current = { key, descending: current.key === key ? !current.descending : key === "band" || key === "score" };
      const value = (body) => {
        if (key === "band") return Number(body.dataset.bandRank) * 1000 + Number(body.dataset.score);
        if (key === "score" || key === "where") return Number(body.dataset[key]);
        return (body.dataset[key] || "").toLowerCase();
      };
      const sorted = bodies().sort((a, b) => {
        const x = value(a), y = value(b);
        const order = x < y ? -1 : x > y ? 1 : 0;
        return current.descending ? -order : order;
      });
      sorted.forEach((body) => table.appendChild(body));
      table.querySelectorAll("th.sortable").forEach((other) => other.removeAttribute("aria-sort"));
      th.setAttribute("aria-sort", current.descending ? "descending" : "ascending");
    };
    th.addEventListener("click", sort);
    th.addEventListener("keydown", (event) => { if (event.key === "Enter") sort(); });
  });
  filter();
}

document.addEventListener("DOMContentLoaded", () => {
  pollProgress();
  dropUpload();
  resultsTable();
});
