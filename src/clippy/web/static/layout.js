// Clip page export layout: the facecam box drawn over the clip's first frame (kept in the
// frame's own pixels, scaled to the picture on screen), and a still preview of the 9:16
// export rendered by the server. Without JavaScript the form still exports with the choices.
(function () {
  "use strict";

  function setupLayout(form) {
    const clip = form.dataset.clip;
    const editor = form.querySelector("[data-facecam-editor]");
    const img = form.querySelector("[data-frame]");
    const box = form.querySelector("[data-box]");
    const camStatus = form.querySelector("[data-facecam-status]");
    const field = (name) => form.querySelector(`input[name="${name}"]`);
    let frame = null; // {width, height} of the clip file
    let loading = false;

    const cam = () => ({
      x: +field("facecam_x").value,
      y: +field("facecam_y").value,
      w: +field("facecam_width").value,
      h: +field("facecam_height").value,
    });
    const hasCam = () => field("facecam_width").value !== "";

    function drawBox() {
      if (!frame || !hasCam() || !img.clientWidth) {
        box.hidden = true;
        return;
      }
      const s = img.clientWidth / frame.width;
      const c = cam();
      box.hidden = false;
      box.style.left = `${c.x * s}px`;
      box.style.top = `${c.y * s}px`;
      box.style.width = `${c.w * s}px`;
      box.style.height = `${c.h * s}px`;
    }

    function setCam(x, y, w, h) {
      const even = (v) => Math.round(v / 2) * 2;
      w = Math.min(Math.max(w, 16), frame.width);
      h = Math.min(Math.max(h, 16), frame.height);
      x = Math.min(Math.max(x, 0), frame.width - w);
      y = Math.min(Math.max(y, 0), frame.height - h);
      field("facecam_x").value = even(x);
      field("facecam_y").value = even(y);
      field("facecam_width").value = even(w);
      field("facecam_height").value = even(h);
      drawBox();
    }

    function loadFrame() {
      if (frame || loading) return;
      loading = true;
      camStatus.textContent = "Looking for the facecam…";
      fetch(`/app/clips/${clip}/layout/frame`, { credentials: "same-origin" })
        .then((r) => (r.ok ? r.json() : Promise.reject(new Error(`status ${r.status}`))))
        .then((d) => {
          // A box remembered from another clip of the stream may be in another frame size.
          const oldWidth = +field("frame_width").value || d.width;
          const kept = hasCam() ? cam() : null;
          frame = { width: d.width, height: d.height };
          field("frame_width").value = d.width;
          field("frame_height").value = d.height;
          img.onload = drawBox;
          img.src = d.image;
          if (kept) {
            const k = d.width / oldWidth;
            setCam(kept.x * k, kept.y * k, kept.w * k, kept.h * k);
            camStatus.textContent = "Your saved facecam box. Drag it to move; drag its corner to resize.";
          } else if (d.facecam) {
            setCam(d.facecam.x, d.facecam.y, d.facecam.width, d.facecam.height);
            camStatus.textContent = "Facecam found. Drag the box to adjust it.";
          } else {
            setCam(d.width * 0.7, d.height * 0.6, d.width * 0.28, d.height * 0.36);
            camStatus.textContent = "No facecam found: drag the box onto it.";
          }
        })
        .catch((e) => {
          loading = false;
          camStatus.textContent = `The frame could not be loaded (${e.message}); exports find the facecam themselves.`;
        });
    }

    let drag = null;
    box.addEventListener("pointerdown", (e) => {
      if (!frame) return;
      e.preventDefault();
      drag = {
        resize: e.target.hasAttribute("data-resize"),
        x0: e.clientX,
        y0: e.clientY,
        start: cam(),
        scale: img.clientWidth / frame.width,
      };
      box.setPointerCapture(e.pointerId);
    });
    box.addEventListener("pointermove", (e) => {
      if (!drag) return;
      const dx = (e.clientX - drag.x0) / drag.scale;
      const dy = (e.clientY - drag.y0) / drag.scale;
      const c = drag.start;
      if (drag.resize) setCam(c.x, c.y, c.w + dx, c.h + dy);
      else setCam(c.x + dx, c.y + dy, c.w, c.h);
    });
    const stop = () => {
      drag = null;
    };
    box.addEventListener("pointerup", stop);
    box.addEventListener("pointercancel", stop);
    window.addEventListener("resize", drawBox);

    function showEditor() {
      const split = form.querySelector('input[name="reframe"]:checked')?.value === "split";
      editor.hidden = !split;
      if (split) {
        loadFrame();
        drawBox();
      }
    }
    form.querySelectorAll('input[name="reframe"]').forEach((r) => r.addEventListener("change", showEditor));
    showEditor();

    // The X button says which frame shape it renders.
    const xAspect = form.querySelector("[data-x-aspect]");
    const xLabel = form.querySelector('[data-export="x"] [data-aspect]');
    if (xAspect && xLabel) {
      xAspect.addEventListener("change", () => {
        xLabel.textContent = xAspect.selectedOptions[0].dataset.label;
      });
    }

    const previewBtn = form.querySelector("[data-preview-export]");
    const previewStatus = form.querySelector("[data-preview-status]");
    const figure = form.querySelector("[data-preview-figure]");
    const previewImg = form.querySelector("[data-preview-image]");
    let previewUrl = null;
    previewBtn.addEventListener("click", () => {
      previewBtn.disabled = true;
      previewStatus.textContent = "Rendering the first frame…";
      fetch(`/app/clips/${clip}/layout/preview`, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
      })
        .then((r) => {
          if (!r.ok) return r.json().then((d) => Promise.reject(new Error(d.detail)));
          const seconds = +r.headers.get("X-Render-Seconds");
          const drawn = r.headers.get("X-Layout");
          return r.blob().then((blob) => ({ blob, seconds, drawn }));
        })
        .then(({ blob, seconds, drawn }) => {
          if (previewUrl) URL.revokeObjectURL(previewUrl);
          previewUrl = URL.createObjectURL(blob);
          previewImg.src = previewUrl;
          figure.hidden = false;
          previewImg.dataset.layout = drawn;
          const chosen = form.querySelector('input[name="reframe"]:checked')?.value;
          const note = chosen === "split" && drawn !== "split" ? " · no facecam found, fitted instead" : "";
          previewStatus.textContent = `Rendered in ${seconds.toFixed(2)} s${note}`;
        })
        .catch((e) => {
          previewStatus.textContent = `Preview failed: ${e.message}`;
        })
        .finally(() => {
          previewBtn.disabled = false;
        });
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-layout]").forEach(setupLayout);
  });
})();
