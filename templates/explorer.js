// betavae latent explorer: runs a run's decoder in the browser. No libraries, nothing from the
// network. explorer/decoder.js (loaded before this file) sets window.betavaeExplorerData to the
// base64 of explorer/decoder.safetensors: the decoder's F32 weights by state-dict name, the first
// test images' posterior means, labels and pixels, and in __metadata__["betavae.explorer"] a JSON
// description (the decoder's operations, image shape, each dimension's KL and slider range).
// README "The latent explorer" documents the file; Report/LatentExplorer.swift writes it.
(function () {
  "use strict";
  var app = document.getElementById("explorer-app");
  if (!app) { return; }
  var status = document.getElementById("explorer-status");

  function fail(message) {
    var note = document.createElement("p");
    note.className = "warning";
    note.textContent = "The latent explorer could not start: " + message;
    app.parentNode.insertBefore(note, app);
  }

  // base64 → bytes (atob gives one character per byte).
  function base64Bytes(text) {
    var binary = atob(text);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) { bytes[i] = binary.charCodeAt(i); }
    return bytes;
  }

  // safetensors: u64 LE header length N, N bytes of JSON, then the tensors' bytes. Only F32 is
  // written by betavae; values are read little-endian through a DataView whatever the platform.
  function parseSafetensors(bytes) {
    var view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    var length = view.getUint32(0, true) + view.getUint32(4, true) * 4294967296;
    if (length <= 0 || 8 + length > bytes.length) { throw new Error("the safetensors header is damaged"); }
    var header = JSON.parse(new TextDecoder("utf-8").decode(bytes.subarray(8, 8 + length)));
    var start = 8 + length, tensors = {};
    Object.keys(header).forEach(function (name) {
      if (name === "__metadata__") { return; }
      var entry = header[name];
      if (entry.dtype !== "F32") { throw new Error(name + " is " + entry.dtype + ", not F32"); }
      var count = entry.shape.reduce(function (a, b) { return a * b; }, 1);
      var begin = start + entry.data_offsets[0];
      if (entry.data_offsets[1] - entry.data_offsets[0] !== 4 * count || start + entry.data_offsets[1] > bytes.length) {
        throw new Error(name + " does not fit the file");
      }
      var values = new Float32Array(count);
      for (var i = 0; i < count; i++) { values[i] = view.getFloat32(begin + 4 * i, true); }
      tensors[name] = { shape: entry.shape, values: values };
    });
    return { metadata: header.__metadata__ || {}, tensors: tensors };
  }

  function tensor(file, name) {
    var t = file.tensors[name];
    if (!t) { throw new Error("the file has no tensor " + name); }
    return t;
  }

  // y = x·Wᵀ + b with W [out, in] (nn.Linear).
  function linear(x, w, b) {
    var out = w.shape[0], inputs = w.shape[1], W = w.values, y = new Float32Array(out);
    if (x.values.length !== inputs) { throw new Error("linear layer of " + inputs + " inputs got " + x.values.length); }
    for (var o = 0; o < out; o++) {
      var sum = b.values[o], row = o * inputs;
      for (var i = 0; i < inputs; i++) { sum += W[row + i] * x.values[i]; }
      y[o] = sum;
    }
    return { shape: [out], values: y };
  }

  // nn.ConvTranspose2d, W [Cin, Cout, k, k]: y[co, iy·s − p + ki, ix·s − p + kj] += x[ci, iy, ix]·W[ci, co, ki, kj].
  function convTranspose(x, w, b, stride, padding, outputPadding) {
    var cin = w.shape[0], cout = w.shape[1], k = w.shape[2], W = w.values;
    var h = x.shape[1], wd = x.shape[2];
    if (x.shape[0] !== cin) { throw new Error("transposed convolution of " + cin + " channels got " + x.shape[0]); }
    var ho = (h - 1) * stride - 2 * padding + k + outputPadding, wo = (wd - 1) * stride - 2 * padding + k + outputPadding;
    var y = new Float32Array(cout * ho * wo);
    for (var co = 0; co < cout; co++) { y.fill(b.values[co], co * ho * wo, (co + 1) * ho * wo); }
    for (var ci = 0; ci < cin; ci++) {
      for (var iy = 0; iy < h; iy++) {
        for (var ix = 0; ix < wd; ix++) {
          var v = x.values[(ci * h + iy) * wd + ix];
          if (v === 0) { continue; }   // after a ReLU most inputs are 0
          for (var c = 0; c < cout; c++) {
            var wBase = (ci * cout + c) * k * k, yBase = c * ho * wo;
            for (var ki = 0; ki < k; ki++) {
              var oy = iy * stride - padding + ki;
              if (oy < 0 || oy >= ho) { continue; }
              for (var kj = 0; kj < k; kj++) {
                var ox = ix * stride - padding + kj;
                if (ox < 0 || ox >= wo) { continue; }
                y[yBase + oy * wo + ox] += v * W[wBase + ki * k + kj];
              }
            }
          }
        }
      }
    }
    return { shape: [cout, ho, wo], values: y };
  }

  function makeDecoder(file, spec) {
    var steps = spec.program.map(function (step) {
      switch (step.op) {
        case "linear":
          var lw = tensor(file, step.weight), lb = tensor(file, step.bias);
          return function (x) { return linear(x, lw, lb); };
        case "relu":
          return function (x) { return { shape: x.shape, values: x.values.map(function (v) { return v > 0 ? v : 0; }) }; };
        case "leaky_relu":
          var slope = step.slope;
          return function (x) { return { shape: x.shape, values: x.values.map(function (v) { return v > 0 ? v : slope * v; }) }; };
        case "unflatten":
          return function (x) { return { shape: step.shape, values: x.values }; };
        case "conv_transpose2d":
          var cw = tensor(file, step.weight), cb = tensor(file, step.bias);
          return function (x) { return convTranspose(x, cw, cb, step.stride, step.padding, step.output_padding || 0); };
        default:
          throw new Error("unknown decoder operation " + step.op);
      }
    });
    var bernoulli = spec.likelihood === "bernoulli";
    // The decoder's input is z followed by a one-hot label of K classes (a conditional model).
    return function (z, label) {
      var input = new Float32Array(spec.latent + spec.conditionClasses);
      input.set(z);
      if (spec.conditionClasses > 0) { input[spec.latent + label] = 1; }
      var x = steps.reduce(function (value, step) { return step(value); }, { shape: [input.length], values: input });
      return x.values.map(function (v) {
        return bernoulli ? (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v))) : Math.min(Math.max(v, 0), 1);
      });
    };
  }

  // An image [C, H, W] in [0, 1] onto a canvas of H × W pixels (grey for C = 1).
  function draw(canvas, pixels, shape) {
    var c = shape[0], h = shape[1], w = shape[2], plane = h * w;
    var context = canvas.getContext("2d"), image = context.createImageData(w, h);
    for (var p = 0; p < plane; p++) {
      for (var ch = 0; ch < 3; ch++) {
        var v = pixels[(c === 1 ? 0 : ch) * plane + p];
        image.data[4 * p + ch] = Math.round(Math.min(Math.max(v, 0), 1) * 255);
      }
      image.data[4 * p + 3] = 255;
    }
    context.putImageData(image, 0, 0);
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function format(value) { return (value < 0 ? "−" : "") + Math.abs(value).toFixed(2); }

  function start() {
    if (typeof window.betavaeExplorerData !== "string") { throw new Error("explorer/decoder.js did not load"); }
    var file = parseSafetensors(base64Bytes(window.betavaeExplorerData));
    var spec = JSON.parse(file.metadata["betavae.explorer"] || "null");
    if (!spec || spec.version !== 1) { throw new Error("explorer/decoder.safetensors has no betavae.explorer description of version 1"); }
    var decode = makeDecoder(file, spec);
    var means = tensor(file, "explorer.means"), labels = tensor(file, "explorer.labels"), images = tensor(file, "explorer.images");
    var z = spec.latent, shape = spec.imageShape, size = shape[0] * shape[1] * shape[2];
    var code = new Float32Array(z), label = 0;
    var canvas = document.getElementById("explorer-canvas");
    var labelPicker = document.getElementById("explorer-label");
    var sliders = [];

    var pending = false;
    function redraw() {
      var started = performance.now();
      draw(canvas, decode(code, label), shape);
      status.textContent = "decoded in " + (performance.now() - started).toFixed(1) + " ms";
      app.setAttribute("data-draws", String(Number(app.getAttribute("data-draws") || 0) + 1));
    }
    function schedule() {
      if (pending) { return; }
      pending = true;
      requestAnimationFrame(function () { pending = false; redraw(); });
    }

    function setCode(values, newLabel) {
      code.set(values);
      if (newLabel !== undefined && spec.conditionClasses > 0) {
        label = newLabel;
        if (labelPicker) { labelPicker.value = String(label); }
      }
      sliders.forEach(function (s) {
        s.input.value = String(code[s.index]);
        s.output.textContent = format(code[s.index]);
      });
      redraw();
    }

    // Sliders: active dimensions by KL, then the inactive ones inside a closed <details>.
    var list = document.getElementById("explorer-sliders");
    var inactive = spec.dimensions.filter(function (d) { return !d.active; });
    var more = null;
    if (inactive.length > 0) {
      more = element("details", "explorer-inactive");
      more.appendChild(element("summary", null, inactive.length + " inactive dimension" + (inactive.length === 1 ? "" : "s")));
    }
    spec.dimensions.forEach(function (d) {
      var row = element("div", "explorer-slider" + (d.active ? "" : " inactive"));
      var id = "explorer-z" + d.index;
      var name = element("label", "explorer-name", "z" + d.index);
      name.htmlFor = id;
      var input = element("input");
      input.type = "range";
      input.id = id;
      input.min = String(d.low);
      input.max = String(d.high);
      input.step = String((d.high - d.low) / 200);
      input.setAttribute("data-dimension", String(d.index));
      var output = element("output", "explorer-value");
      var kl = element("span", "explorer-kl", "KL " + d.kl.toFixed(2));
      input.addEventListener("input", function () {
        code[d.index] = Number(input.value);
        output.textContent = format(code[d.index]);
        schedule();
      });
      row.appendChild(name); row.appendChild(input); row.appendChild(output); row.appendChild(kl);
      (d.active || !more ? list : more).appendChild(row);
      sliders.push({ index: d.index, input: input, output: output });
    });
    if (spec.dimensions.every(function (d) { return !d.active; })) {
      list.appendChild(element("p", "explorer-note", "No dimension is active: the decoder ignores the code almost entirely."));
    }
    if (more) { list.appendChild(more); }

    // Labels of a conditional model.
    if (labelPicker && spec.conditionClasses > 0) {
      for (var k = 0; k < spec.conditionClasses; k++) {
        var option = element("option", null, spec.classNames[k] || String(k));
        option.value = String(k);
        labelPicker.appendChild(option);
      }
      labelPicker.addEventListener("change", function () { label = Number(labelPicker.value); schedule(); });
    }

    // The picker: the first test images (their posterior means), and the zero code.
    var picker = document.getElementById("explorer-picker");
    var buttons = [];
    function choose(button) {
      buttons.forEach(function (b) { b.setAttribute("aria-pressed", String(b === button)); });
    }
    for (var n = 0; n < means.shape[0]; n++) {
      (function (n) {
        var labelName = spec.classNames[labels.values[n]] || String(labels.values[n]);
        var button = element("button", "explorer-pick");
        button.type = "button";
        button.title = "test image " + n + " (" + labelName + "): start from its posterior mean";
        button.setAttribute("data-image", String(n));
        var thumb = element("canvas");
        thumb.width = shape[2];
        thumb.height = shape[1];
        draw(thumb, images.values.subarray(n * size, (n + 1) * size), shape);
        button.appendChild(thumb);
        button.addEventListener("click", function () {
          choose(button);
          setCode(means.values.subarray(n * z, (n + 1) * z), labels.values[n]);
        });
        picker.appendChild(button);
        buttons.push(button);
      })(n);
    }
    var zero = element("button", "explorer-pick explorer-zero", "z = 0");
    zero.type = "button";
    zero.title = "the zero code (the prior's mean)";
    zero.addEventListener("click", function () { choose(zero); setCode(new Float32Array(z)); });
    picker.appendChild(zero);
    buttons.push(zero);

    app.hidden = false;
    if (means.shape[0] > 0) { buttons[0].click(); } else { zero.click(); }
    // For tests and the curious: decode any code, or set the explorer's code.
    window.betavaeExplorer = {
      spec: spec,
      decode: function (values, k) { return Array.from(decode(Float32Array.from(values), k || 0)); },
      setCode: function (values, k) { setCode(Float32Array.from(values), k); },
      code: function () { return Array.from(code); }
    };
    app.setAttribute("data-ready", "true");
  }

  try { start(); } catch (error) { fail(error.message); }
})();
