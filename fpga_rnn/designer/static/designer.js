// fpga-rnn designer page: compose a layer stack, see its cost on every edit, train,
// synthesize, export. All numbers come from the server (the planner and the resource
// model); this file only draws them. Text from the server is set with textContent.
"use strict";

const TOKEN = new URLSearchParams(location.search).get("token") || "";
const $ = (id) => document.getElementById(id);
const fmt = (n) => (n === null || n === undefined ? "–" : Number(n).toLocaleString("en-US"));
const el = (tag, props = {}, ...kids) => {
  const e = Object.assign(document.createElement(tag), props);
  for (const k of kids) e.append(k);
  return e;
};

async function api(path, body, form) {
  const opts = { headers: { "X-Token": TOKEN } };
  if (form) {
    opts.method = "POST";
    opts.body = form;
  } else if (body !== undefined) {
    opts.method = "POST";
    opts.headers["Content-Type"] = "application/json";
    opts.body = JSON.stringify(body);
  }
  const r = await fetch(path, opts);
  const j = await r.json();
  if (!r.ok) throw new Error(j.error || (j.detail && JSON.stringify(j.detail)) || r.statusText);
  return j;
}

let cat = null; // kinds, boards, datasets, initial design
let design = null;
let costSeq = 0;
let costShown = 0;
let jobTimer = null;
window.__costLatencies = []; // ms from an edit to its cost on screen (the browser test reads it)

function say(text) { $("status").textContent = text; }

// ---- compose ------------------------------------------------------------------------
function defaults(kind) {
  const la = { kind };
  for (const f of cat.kinds[kind]) la[f.name] = f.default;
  return la;
}

function fieldInput(la, f, i) {
  let input;
  if (f.type === "bool") {
    input = el("input", { type: "checkbox", checked: !!la[f.name] });
  } else if (f.name === "activation") {
    input = el("select");
    for (const a of cat.activations) input.append(el("option", { value: a, textContent: a }));
    input.value = la[f.name];
  } else {
    input = el("input", { type: "number", min: f.min, max: f.max, value: la[f.name] });
  }
  input.name = f.name;
  input.addEventListener("change", () => {
    const t0 = performance.now();
    if (f.type === "bool") la[f.name] = input.checked;
    else if (f.type === "int") la[f.name] = input.value === "" ? null : Number(input.value);
    else la[f.name] = input.value;
    edited(t0);
  });
  return el("label", {}, f.name.replace("_", " ") + " ", input);
}

function renderLayers() {
  const ol = $("layers");
  ol.replaceChildren();
  design.layers.forEach((la, i) => {
    const kind = el("select", { className: "kind", name: "kind" });
    for (const k of Object.keys(cat.kinds)) kind.append(el("option", { value: k, textContent: k }));
    kind.value = la.kind;
    kind.addEventListener("change", () => {
      const t0 = performance.now();
      design.layers[i] = defaults(kind.value);
      renderLayers();
      edited(t0);
    });
    const fields = el("div", { className: "fields" }, kind);
    for (const f of cat.kinds[la.kind]) fields.append(fieldInput(la, f, i));
    const move = (d) => () => {
      const j = i + d;
      if (j < 0 || j >= design.layers.length) return;
      const t0 = performance.now();
      [design.layers[i], design.layers[j]] = [design.layers[j], design.layers[i]];
      renderLayers();
      edited(t0);
    };
    fields.append(
      el("button", { className: "up", title: "move up", textContent: "↑", onclick: move(-1) }),
      el("button", { className: "down", title: "move down", textContent: "↓", onclick: move(1) }),
      el("button", {
        className: "remove", title: "remove", textContent: "✕",
        onclick: () => { const t0 = performance.now(); design.layers.splice(i, 1); renderLayers(); edited(t0); },
      }),
    );
    ol.append(el("li", { className: "layer" }, fields, el("div", { className: "shape" }),
      el("div", { className: "problem" })));
    ol.lastChild.dataset.index = i;
  });
}

function renderInput() {
  const inp = design.input;
  $("model-name").value = design.name;
  $("in-features").value = inp.features;
  $("in-timesteps").value = inp.timesteps;
  $("in-vocabulary").value = inp.vocabulary;
  $("in-masked").checked = inp.masked;
  $("seq-output").checked = design.sequence_output;
  if (!$("cost-timesteps").value) $("cost-timesteps").value = inp.timesteps;
}

function readInput() {
  design.name = $("model-name").value;
  design.input = {
    features: Number($("in-features").value),
    timesteps: Number($("in-timesteps").value),
    vocabulary: Number($("in-vocabulary").value),
    masked: $("in-masked").checked,
  };
  design.sequence_output = $("seq-output").checked;
}

function edited(t0) { refreshCost(t0 || performance.now()); }

// ---- cost ---------------------------------------------------------------------------
async function refreshCost(t0) {
  const seq = ++costSeq;
  const reuse = $("reuse").value;
  const body = {
    design, board: $("board").value,
    reuse: reuse ? Number(reuse) : null,
    timesteps: Number($("cost-timesteps").value) || null,
  };
  let c;
  try {
    c = await api("api/cost", body);
  } catch (e) {
    if (seq === costSeq) say("cost: " + e.message);
    return;
  }
  if (seq < costShown) return; // a newer answer is already on screen
  costShown = seq;
  renderCost(c);
  window.__costLatencies.push(performance.now() - t0);
  document.body.dataset.costVersion = String(seq);
}

function renderProblems(problems) {
  document.querySelectorAll("li.layer").forEach((li) => {
    li.classList.remove("bad");
    li.querySelector(".problem").textContent = "";
  });
  const general = [];
  for (const p of problems) {
    const li = p.layer === null ? null : document.querySelector(`li.layer[data-index="${p.layer}"]`);
    if (li) {
      li.classList.add("bad");
      const box = li.querySelector(".problem");
      box.textContent = box.textContent ? `${box.textContent}; ${p.message}` : p.message;
    } else general.push(p.message);
  }
  $("design-problems").textContent = general.join("; ");
}

function renderCost(c) {
  renderProblems(c.problems || []);
  const ids = ["cost-params", "cost-reuse", "cost-multipliers", "cost-cycles-step", "cost-cycles-seq", "cost-us"];
  if (!c.ok) {
    for (const id of ids) $(id).textContent = "–";
    $("bars").replaceChildren();
    $("fit-verdict").textContent = "fix the design to see its cost";
    $("fit-verdict").className = "nofit";
    say("the design has problems");
    return;
  }
  $("cost-params").textContent = fmt(c.model.parameters);
  // each layer's output shape and parameters (an Embedding, from the input, comes first)
  const skip = c.model.layers.length - design.layers.length;
  document.querySelectorAll("li.layer").forEach((li, i) => {
    const m = c.model.layers[i + skip];
    if (m) li.querySelector(".shape").textContent = `→ (${m.output_shape.join(", ")}) · ${fmt(m.params)} parameters`;
  });
  if (c.chosen) {
    $("cost-reuse").textContent = `${c.chosen.reuse}, ${c.chosen.mac_stages}/${c.chosen.lane_stages}`;
    $("cost-multipliers").textContent = fmt(c.multipliers);
    $("cost-cycles-step").textContent = fmt(c.cycles_per_step);
    $("cost-cycles-seq").textContent = `${fmt(c.cycles_per_sequence)} (${c.timesteps} steps)`;
    $("cost-us").textContent = c.us_per_sequence === null ? "–"
      : `${c.us_per_sequence} at ${c.clock_mhz} MHz (${c.clock_basis})`;
  }
  const bars = $("bars");
  bars.replaceChildren();
  for (const k of ["lut", "ff", "dsp", "bram"]) {
    if (!c.utilisation || c.utilisation[k] === undefined) continue;
    const u = c.utilisation[k];
    const bar = el("div", { className: "bar" + (u > c.max_utilisation ? " over" : "") },
      el("div", { className: "label",
        textContent: `${k.toUpperCase()} ${fmt(Math.round(c.resources[k]))} / ${fmt(c.board.resources[k])} (${(100 * u).toFixed(1)} %)` }),
      el("div", { className: "track" }, el("div", { className: "fill" })));
    bar.querySelector(".fill").style.width = Math.min(100, 100 * u).toFixed(1) + "%";
    bar.id = "bar-" + k;
    bars.append(bar);
  }
  const v = $("fit-verdict");
  v.textContent = c.fits
    ? `fits the ${c.board.name} (predicted; ${Math.round(100 * c.max_utilisation)} % limit)`
    : `does not fit: ${c.why_not}`;
  v.className = c.fits ? "fits" : "nofit";
  drawPareto(c);
  say(`cost in ${Math.round(1000 * c.seconds)} ms on the server`);
}

function drawPareto(c) {
  if (!window.Plotly || !c.pareto) return;
  const key = (r) => (r.est_us_per_step !== undefined ? r.est_us_per_step : r.cycles_per_step);
  const text = (r) => `reuse ${r.reuse}, stages ${r.mac_stages}/${r.lane_stages}`;
  const traces = [{
    x: c.pareto.map((r) => r.multipliers), y: c.pareto.map(key), text: c.pareto.map(text),
    mode: "lines+markers", name: "Pareto front", type: "scatter",
  }];
  if (c.chosen) {
    traces.push({ x: [c.chosen.multipliers], y: [key(c.chosen)], text: [text(c.chosen)],
      mode: "markers", name: "shown", marker: { size: 12, symbol: "star" }, type: "scatter" });
  }
  Plotly.react("pareto", traces, {
    margin: { l: 50, r: 10, t: 10, b: 40 }, showlegend: false,
    xaxis: { title: { text: "multipliers (DSP)" }, type: "log" },
    yaxis: { title: { text: "µs per step (estimated clock)" }, type: "log" },
  }, { displayModeBar: false, responsive: true });
}

// ---- jobs: train and synthesize -----------------------------------------------------
function poll(jid, onEvents, onEnd) {
  let since = 0;
  const tick = async () => {
    let j;
    try { j = await api(`api/jobs/${jid}?since=${since}`); } catch (e) { onEnd({ state: "failed", error: e.message }); return; }
    since = j.next;
    onEvents(j.events, j);
    if (j.state === "running") jobTimer = setTimeout(tick, 500);
    else onEnd(j);
  };
  tick();
}

let trainJob = null;
let doneTraining = null; // the last finished training: what "verify + report" runs on
let flowJob = null;
const curves = { loss: [], val_loss: [], accuracy: [], val_accuracy: [] };

function drawCurves() {
  if (!window.Plotly) return;
  const traces = Object.entries(curves).filter(([, v]) => v.length).map(([k, v]) => ({
    x: v.map((_, i) => i + 1), y: v, name: k, mode: "lines", type: "scatter",
    yaxis: k.includes("acc") ? "y2" : "y",
  }));
  Plotly.react("curves", traces, {
    margin: { l: 45, r: 45, t: 10, b: 35 }, legend: { orientation: "h" },
    xaxis: { title: { text: "epoch" } }, yaxis: { title: { text: "loss" } },
    yaxis2: { title: { text: "accuracy" }, overlaying: "y", side: "right", range: [0, 1],
      tickmode: "auto", tickformat: ".0%" },
  }, { displayModeBar: false, responsive: true });
}

async function startTraining() {
  for (const k in curves) curves[k] = [];
  drawCurves();
  $("train-result").textContent = "";
  let r;
  try {
    r = await api("api/train", { design, dataset: $("dataset").value, epochs: Number($("epochs").value) });
  } catch (e) { $("train-status").textContent = e.message; return; }
  if (!r.ok) { renderProblems(r.problems); return; }
  trainJob = r.job;
  $("train-start").disabled = true;
  $("train-cancel").disabled = false;
  $("train-status").textContent = "starting…";
  poll(trainJob, (events) => {
    for (const ev of events) {
      if (ev.epoch !== undefined) {
        for (const k in curves) if (ev[k] !== undefined) curves[k].push(ev[k]);
        $("train-status").textContent = `epoch ${ev.epoch}`;
      } else if (ev.message) $("train-status").textContent = ev.message;
    }
    if (events.length) drawCurves();
  }, (j) => {
    $("train-start").disabled = false;
    $("train-cancel").disabled = true;
    $("train-status").textContent = j.state + (j.error ? ": " + j.error : "");
    if (j.state === "done") {
      const f = j.result.float, g = j.result.golden;
      const key = f.accuracy !== undefined ? "accuracy" : "rmse";
      $("train-result").textContent =
        `${j.result.model}: ${key} float ${f[key].toFixed(4)}, fixed point (golden) ${g[key].toFixed(4)} after ${j.result.epochs_run} epochs`;
      doneTraining = j.id;
      $("flow-start").disabled = false;
      for (const [id, name] of [["export-keras", "model.keras"], ["export-ir", "ir.zip"]]) {
        $(id).href = `api/jobs/${j.id}/files/${name}?token=${encodeURIComponent(TOKEN)}`;
        $(id).classList.remove("disabled");
      }
    }
  });
}

async function runFlow() {
  let r;
  try {
    r = await api("api/flow", { job: doneTraining, dataset: $("dataset").value, board: $("board").value });
  } catch (e) { $("flow-status").textContent = e.message; return; }
  flowJob = r.job;
  $("flow-start").disabled = true;
  $("flow-cancel").disabled = false;
  $("flow-status").textContent = "fit, verify, report…";
  poll(flowJob, (events) => {
    const last = events.filter((e) => e.message).pop();
    if (last) $("flow-status").textContent = last.message.slice(0, 160);
  }, (j) => {
    $("flow-start").disabled = false;
    $("flow-cancel").disabled = true;
    if (j.state !== "done") { $("flow-status").textContent = j.state + (j.error ? ": " + j.error : ""); return; }
    const s = j.result;
    const exact = Object.entries(s.bit_exact).map(([t, v]) => `${t} ${v ? "bit-exact" : "MISMATCH"}`).join(", ");
    $("flow-status").textContent = `${exact}; ${fmt(s.latency_cycles)} cycles at reuse ${s.reuse} on ${s.board}`;
    $("flow-report").href = `api/jobs/${j.id}/files/report.html?token=${encodeURIComponent(TOKEN)}`;
    $("flow-report").classList.remove("disabled");
  });
}

async function synthesize() {
  $("synth-status").textContent = "starting yosys…";
  const reuse = $("reuse").value;
  let r;
  try {
    r = await api("api/synth", { design, board: $("board").value, reuse: reuse ? Number(reuse) : null });
  } catch (e) { $("synth-status").textContent = e.message; return; }
  if (!r.ok) { $("synth-status").textContent = r.why_not || "fix the design first"; return; }
  $("synth").disabled = true;
  poll(r.job, (events) => {
    const last = events.filter((e) => e.message).pop();
    if (last) $("synth-status").textContent = last.message.slice(0, 120);
  }, (j) => {
    $("synth").disabled = false;
    if (j.state !== "done") { $("synth-status").textContent = j.state + (j.error ? ": " + j.error : ""); return; }
    const s = j.result.resources, p = r.predicted;
    const part = (k) => `${k.toUpperCase()} ${fmt(s[k])}` +
      (p[k] === undefined ? "" : ` (predicted ${fmt(Math.round(p[k]))})`);
    const fmax = j.result.fmax_mhz ? `; nextpnr Fmax ${j.result.fmax_mhz} MHz` : "";
    $("synth-status").textContent = "yosys: " + ["lut", "ff", "dsp", "bram"].map(part).join(", ") + fmax;
  });
}

// ---- export, open -------------------------------------------------------------------
function download(name, text) {
  const a = el("a", { href: URL.createObjectURL(new Blob([text])), download: name });
  document.body.append(a);
  a.click();
  a.remove();
}

async function exportDesign(what) {
  let r;
  try {
    r = await api("api/export", { design, dataset: $("dataset").value, board: $("board").value });
  } catch (e) { say(e.message); return; }
  if (!r.ok) { renderProblems(r.problems); return; }
  $("export-command").textContent = "# with designer.json saved beside you:\n" + r.command;
  if (what === "script") download(`${design.name}_train.py`, r.script);
  else download("designer.json", JSON.stringify(r.design, null, 1));
  window.__lastExport = r;
}

async function openFile(input) {
  const f = input.files[0];
  if (!f) return;
  const form = new FormData();
  form.append("file", f);
  say(`opening ${f.name}…`);
  try {
    const r = await api("api/open", undefined, form);
    design = r.design;
    renderInput();
    renderLayers();
    edited();
    if (r.problems.length) $("design-problems").textContent = r.problems.map((p) => p.message).join("; ");
  } catch (e) { say(e.message); }
  input.value = "";
}

async function datasetChosen() {
  try {
    const s = await api("api/dataset-shape", { dataset: $("dataset").value });
    applyShape(s);
  } catch (e) { say(e.message); }
}

function applyShape(s) {
  design.input = s.input;
  design.sequence_output = s.sequence_output;
  const last = design.layers[design.layers.length - 1];
  if (last && last.kind === "dense") {
    last.units = s.outputs;
    if (s.task === "classification") last.activation = "softmax";
  }
  $("cost-timesteps").value = s.input.timesteps;
  renderInput();
  renderLayers();
  edited();
}

async function uploadDataset(input) {
  const f = input.files[0];
  if (!f) return;
  const form = new FormData();
  form.append("file", f);
  try {
    const s = await api("api/dataset", undefined, form);
    $("dataset").append(el("option", { value: s.dataset, textContent: `${s.dataset} (${f.name})` }));
    $("dataset").value = s.dataset;
    applyShape(s);
  } catch (e) { say(e.message); }
  input.value = "";
}

// ---- start --------------------------------------------------------------------------
async function main() {
  cat = await api("api/catalogue");
  design = structuredClone(cat.initial);
  for (const b of cat.boards) $("board").append(el("option", { value: b.name, textContent: `${b.name} (${b.part})` }));
  $("board").value = "pynq-z2";
  for (const r of cat.reuse_steps) $("reuse").append(el("option", { value: r, textContent: r }));
  for (const d of cat.datasets) $("dataset").append(el("option", { value: d, textContent: d }));
  $("dataset").value = "japanese-vowels";
  const add = $("add");
  for (const k of Object.keys(cat.kinds)) {
    add.append(el("button", {
      id: "add-" + k, textContent: "+ " + k,
      onclick: () => { const t0 = performance.now(); design.layers.push(defaults(k)); renderLayers(); edited(t0); },
    }));
  }
  for (const id of ["model-name", "in-features", "in-timesteps", "in-vocabulary", "in-masked", "seq-output"]) {
    $(id).addEventListener("change", () => { const t0 = performance.now(); readInput(); edited(t0); });
  }
  for (const id of ["board", "reuse", "cost-timesteps"]) $(id).addEventListener("change", () => edited());
  $("dataset").addEventListener("change", datasetChosen);
  $("dataset-file").addEventListener("change", (e) => uploadDataset(e.target));
  $("open-file").addEventListener("change", (e) => openFile(e.target));
  $("train-start").addEventListener("click", startTraining);
  $("train-cancel").addEventListener("click", () => trainJob && api(`api/jobs/${trainJob}/cancel`, {}));
  $("synth").addEventListener("click", synthesize);
  $("flow-start").addEventListener("click", runFlow);
  $("flow-cancel").addEventListener("click", () => flowJob && api(`api/jobs/${flowJob}/cancel`, {}));
  $("export-script").addEventListener("click", () => exportDesign("script"));
  $("export-design").addEventListener("click", () => exportDesign("design"));
  renderInput();
  renderLayers();
  edited();
}

main().catch((e) => say("could not start: " + e.message));
