// Follows a background render (an issuing or a draft PDF) without reloading the page:
// every element with data-poll-url asks its status URL every two seconds, shows the
// sentence it gets back, and reloads the page once the render has finished, so that
// the page shows the outcome (the issued report, the download, or why it failed).
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  for (const box of document.querySelectorAll("[data-poll-url]")) {
    const message = box.querySelector("[data-progress-message]");
    const bar = box.querySelector("progress");
    const poll = async () => {
      try {
        const response = await fetch(box.dataset.pollUrl, {
          headers: { Accept: "application/json" },
          credentials: "same-origin",
        });
        if (response.ok) {
          const state = await response.json();
          if (state.finished) {
            window.location.reload();
            return;
          }
          if (message && message.textContent !== state.message) {
            message.textContent = state.message;
          }
          if (bar) {
            bar.value = state.step;
          }
        }
      } catch (error) {
        // The server is busy or away: try again at the next tick.
      }
      window.setTimeout(poll, 2000);
    };
    window.setTimeout(poll, 2000);
  }
});
