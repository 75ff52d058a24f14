import Foundation

/// The page at `/`: choose or drop photos, see each with its three most probable classes as
/// bars, and the model and version that answered; "Why?" draws a saliency map over the
/// image the model saw (`.../explain`, only when asked, so plain inference never waits).
/// One file of HTML, CSS and JavaScript with no outside resources; it calls the V2 endpoint
/// with the binary tensor extension (the photo's bytes after the JSON), as any client may.
enum ServingPage {
    static func html(models repository: ModelRepository) -> String {
        var models = JSONWriter()
        models.array(repository.names) { $0.string($1) }
        let list = String(decoding: models.bytes, as: UTF8.self).replacingOccurrences(of: "</", with: "<\\/")
        return template.replacingOccurrences(of: "__MODELS__", with: list)
    }

    private static let template = #"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>fashion serve</title>
        <style>
          :root { --ink: #1d2330; --muted: #5b6475; --line: #d9dde5; --bar: #2f6db5; --bg: #f6f7f9; }
          * { box-sizing: border-box; }
          body { margin: 0; font: 15px/1.45 system-ui, sans-serif; color: var(--ink); background: var(--bg); }
          header { padding: 18px 24px; background: #fff; border-bottom: 1px solid var(--line); }
          h1 { margin: 0; font-size: 20px; }
          header p { margin: 4px 0 0; color: var(--muted); }
          main { padding: 20px 24px; max-width: 1100px; }
          .controls { display: flex; gap: 12px; align-items: center; flex-wrap: wrap; margin-bottom: 16px; }
          #drop { border: 2px dashed var(--line); border-radius: 10px; padding: 28px; text-align: center;
                  background: #fff; color: var(--muted); cursor: pointer; }
          #drop.over { border-color: var(--bar); color: var(--ink); }
          #results { display: grid; grid-template-columns: repeat(auto-fill, minmax(250px, 1fr)); gap: 14px;
                     margin-top: 18px; }
          .card { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 12px; }
          .card img { width: 100%; height: 160px; object-fit: contain; background: #eef0f3; border-radius: 6px;
                      image-rendering: pixelated; }
          .name { font-weight: 600; margin: 8px 0 4px; word-break: break-all; }
          .row { display: grid; grid-template-columns: 90px 1fr 52px; gap: 8px; align-items: center; margin: 3px 0; }
          .track { height: 12px; background: #e7eaf0; border-radius: 6px; overflow: hidden; }
          .fill { height: 100%; background: var(--bar); }
          .row:first-child .fill { background: #1b4f8f; }
          .meta { color: var(--muted); font-size: 12px; margin-top: 6px; }
          .tags { font-weight: 600; margin-bottom: 6px; }
          .error { color: #a11d2c; }
          .why { margin-top: 8px; display: flex; gap: 6px; align-items: center; font-size: 13px; }
          .why button { font: inherit; padding: 2px 10px; }
          .explanation canvas { width: 100%; height: 160px; object-fit: contain; background: #eef0f3;
                                image-rendering: pixelated; border-radius: 6px; margin-top: 6px; }
          .explanation p { margin: 2px 0; color: var(--muted); font-size: 12px; }
        </style>
        </head>
        <body>
        <header>
          <h1>fashion serve</h1>
          <p>Tag product photos (PNG or JPEG) with a trained model. The page calls the server's V2 inference API.</p>
        </header>
        <main>
          <div class="controls">
            <label>Model <select id="model"></select></label>
            <input id="files" type="file" accept="image/png,image/jpeg" multiple>
          </div>
          <div id="drop">Drop photos here, or choose them above</div>
          <div id="results"></div>
        </main>
        <script>
        const MODELS = __MODELS__;
        const select = document.getElementById("model");
        for (const name of MODELS) {
          const option = document.createElement("option");
          option.value = name; option.textContent = name; select.appendChild(option);
        }
        const results = document.getElementById("results");
        const drop = document.getElementById("drop");
        document.getElementById("files").addEventListener("change", (e) => classifyAll(e.target.files));
        drop.addEventListener("click", () => document.getElementById("files").click());
        drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
        drop.addEventListener("dragleave", () => drop.classList.remove("over"));
        drop.addEventListener("drop", (e) => {
          e.preventDefault(); drop.classList.remove("over"); classifyAll(e.dataTransfer.files);
        });

        function classifyAll(files) { for (const file of files) classify(file); }

        function element(tag, className, text) {
          const node = document.createElement(tag);
          if (className) node.className = className;
          if (text !== undefined) node.textContent = text;
          return node;
        }

        // The photo in the binary tensor extension: the JSON header, then a 4-byte length and the bytes.
        function photoRequest(photo, parameters, outputs) {
          const fields = { inputs: [{ name: "photos", datatype: "BYTES", shape: [1],
                                      parameters: { binary_data_size: photo.length + 4 } }], parameters };
          if (outputs) fields.outputs = outputs;
          const header = new TextEncoder().encode(JSON.stringify(fields));
          const request = new Uint8Array(header.length + 4 + photo.length);
          request.set(header, 0);
          new DataView(request.buffer).setUint32(header.length, photo.length, true);
          request.set(photo, header.length + 4);
          return { body: request, headers: { "Inference-Header-Content-Length": String(header.length) } };
        }

        // "Why?": a saliency map of the photo, drawn over the image the model saw.
        function whyControls(card, photo, model) {
          const row = element("div", "why");
          const method = element("select");
          for (const name of ["integrated-gradients", "occlusion", "gradient"]) {
            const option = element("option", "", name); option.value = name; method.append(option);
          }
          const button = element("button", "", "Why?");
          const out = element("div", "explanation");
          button.addEventListener("click", async () => {
            card.dataset.explained = "pending";
            out.replaceChildren(element("p", "", "explaining…"));
            try {
              const request = photoRequest(photo, { method: method.value });
              const response = await fetch("/v2/models/" + encodeURIComponent(model) + "/explain",
                                           { method: "POST", body: request.body, headers: request.headers });
              const answer = await response.json();
              if (!response.ok) throw new Error(answer.error || ("HTTP " + response.status));
              const canvas = element("canvas");
              draw(canvas, answer);
              out.replaceChildren(canvas, element("p", "", answer.method + " for " + answer.class_name + " ("
                + answer.probability.toFixed(3) + "): orange is what raised its score"));
              card.dataset.explained = "done";
            } catch (error) {
              out.replaceChildren(element("div", "error", String(error.message || error)));
              card.dataset.explained = "error";
            }
          });
          row.append(button, method);
          const wrapper = element("div");
          wrapper.append(row, out);
          return wrapper;
        }

        function draw(canvas, answer) {
          const [h, w, c] = [answer.shape[0], answer.shape[1], answer.shape[2] || 1];
          const small = document.createElement("canvas");
          small.width = w; small.height = h;
          const context = small.getContext("2d");
          const picture = context.createImageData(w, h);
          const lo = Math.min(...answer.input), hi = Math.max(...answer.input);
          const peak = Math.max(1e-12, ...answer.map.map(Math.abs));
          for (let i = 0; i < w * h; i++) {
            let g = 0;
            for (let k = 0; k < c; k++) g += answer.input[i * c + k];
            g = (g / c - lo) / Math.max(1e-9, hi - lo);
            const a = Math.max(0, answer.map[i]) / peak;
            const base = 0.6 * g * (1 - a);
            picture.data[4 * i] = 255 * (base + a);
            picture.data[4 * i + 1] = 255 * (base + 0.55 * a);
            picture.data[4 * i + 2] = 255 * (base + 0.1 * a);
            picture.data[4 * i + 3] = 255;
          }
          context.putImageData(picture, 0, 0);
          canvas.width = w * 8; canvas.height = h * 8;
          const big = canvas.getContext("2d");
          big.imageSmoothingEnabled = false;
          big.drawImage(small, 0, 0, w * 8, h * 8);
        }

        async function classify(file) {
          const card = element("div", "card");
          card.dataset.status = "pending";
          const image = element("img");
          image.src = URL.createObjectURL(file);
          image.alt = file.name;
          card.append(image, element("div", "name", file.name));
          const body = element("div", "", "classifying…");
          card.append(body);
          results.prepend(card);
          try {
            const photo = new Uint8Array(await file.arrayBuffer());
            // No output list: every output the model has (a tagging model adds "tags").
            const request = photoRequest(photo, { top_k: 3 });
            const response = await fetch("/v2/models/" + encodeURIComponent(select.value) + "/infer", {
              method: "POST", body: request.body, headers: request.headers
            });
            const answer = await response.json();
            if (!response.ok) throw new Error(answer.error || ("HTTP " + response.status));
            const outputs = Object.fromEntries(answer.outputs.map((o) => [o.name, o.data]));
            body.replaceChildren();
            if (outputs.tags) {
              const tags = element("div", "tags", "tags: " + (outputs.tags[0] ? outputs.tags[0].split("|").join(", ")
                                                            : "none over their thresholds"));
              tags.dataset.tags = outputs.tags[0];
              body.append(tags);
            }
            outputs.top_classes.forEach((name, i) => {
              const p = outputs.probabilities[outputs.top_indices[i]];
              const row = element("div", "row");
              row.dataset.className = name;
              const track = element("div", "track");
              const fill = element("div", "fill");
              fill.style.width = (100 * p).toFixed(1) + "%";
              track.append(fill);
              row.append(element("span", "label", name), track, element("span", "value", p.toFixed(3)));
              body.append(row);
            });
            body.append(element("div", "meta", "model " + answer.model_name + " · version " + answer.model_version));
            body.append(whyControls(card, photo, select.value));
            card.dataset.status = "done";
          } catch (error) {
            body.replaceChildren(element("div", "error", String(error.message || error)));
            card.dataset.status = "error";
          }
        }
        </script>
        </body>
        </html>
        """#
}
