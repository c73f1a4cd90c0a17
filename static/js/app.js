// Progressive enhancements for every page; each page works without them.
//
// - Stacked tables (.table-stack, cards under 576 px) get each cell labelled with
//   its column's header.
// - An error summary (#error-summary) takes the focus when the page loads.
// - A <details data-fold-below="992"> (the principle list of the questionnaire) is
//   folded on screens narrower than that, so that the first question comes first.
// - A form with data-autosave-key keeps what is typed in this browser's localStorage
//   (per user, assessment and page): after a lost session or a crash the page offers
//   the typed answers back, with a notice and a button to discard them. A question
//   whose version changed since (saved by you or a colleague) is never restored.
//   Leaving the page with unsaved changes asks first (beforeunload).
// - Signing out forgets the drafts this browser kept for the user.
"use strict";

(() => {
  const DRAFT_PREFIX = "hiroshima:draft:";
  document.documentElement.classList.remove("no-js");

  // Label each cell of a stacked table (.table-stack) with its column's header.
  function labelStackedTables() {
    for (const table of document.querySelectorAll("table.table-stack")) {
      const headers = Array.from(table.querySelectorAll("thead th")).map((th) =>
        th.textContent.trim(),
      );
      for (const row of table.querySelectorAll("tbody tr")) {
        Array.from(row.children).forEach((cell, index) => {
          if (cell.tagName === "TD" && !cell.dataset.label && headers[index]) {
            cell.dataset.label = headers[index];
          }
        });
      }
    }
  }

  function storage() {
    try {
      const store = window.localStorage;
      const probe = `${DRAFT_PREFIX}probe`;
      store.setItem(probe, "1");
      store.removeItem(probe);
      return store;
    } catch (error) {
      return null; // private mode, disabled, or full: no autosave then
    }
  }

  function focusErrorSummary() {
    const summary = document.getElementById("error-summary");
    if (summary) {
      summary.focus();
    }
  }

  function foldNarrow() {
    for (const details of document.querySelectorAll("details[data-fold-below]")) {
      const width = Number(details.dataset.foldBelow);
      if (window.matchMedia(`(max-width: ${width - 0.02}px)`).matches) {
        details.open = false;
      }
    }
  }

  // The fields autosave covers: what a person types or chooses, not files or hidden ids.
  function draftFields(form) {
    return Array.from(form.elements).filter(
      (el) =>
        el.name &&
        !el.disabled &&
        (el.tagName === "TEXTAREA" ||
          (el.tagName === "INPUT" && ["text", "url", "radio", "checkbox"].includes(el.type))),
    );
  }

  function versions(form) {
    const found = {};
    for (const el of form.querySelectorAll('input[type="hidden"][name$="-version"]')) {
      found[el.name.slice(0, -"-version".length)] = el.value;
    }
    return found;
  }

  function prefixOf(name) {
    const dash = name.lastIndexOf("-");
    return dash === -1 ? "" : name.slice(0, dash);
  }

  function snapshot(form) {
    const values = {};
    for (const el of draftFields(form)) {
      if (el.type === "radio" || el.type === "checkbox") {
        values[`${el.name}=${el.value}`] = el.checked;
      } else {
        values[el.name] = el.value;
      }
    }
    return values;
  }

  function apply(form, values) {
    let changed = 0;
    for (const el of draftFields(form)) {
      const key = el.type === "radio" || el.type === "checkbox" ? `${el.name}=${el.value}` : el.name;
      if (!(key in values)) {
        continue;
      }
      if (el.type === "radio" || el.type === "checkbox") {
        if (el.checked !== values[key]) {
          el.checked = values[key];
          changed += 1;
        }
      } else if (el.value !== values[key]) {
        el.value = values[key];
        changed += 1;
      }
    }
    return changed;
  }

  function autosave(form, store) {
    const key = form.dataset.autosaveKey;
    const notice = form.querySelector("[data-autosave-notice]");
    const original = snapshot(form);
    const pageVersions = versions(form);
    let dirty = false;
    let submitting = false;
    let timer = null;

    // Restore what was typed, question by question, where the question's version
    // is still the one the typing started from.
    let saved = null;
    try {
      saved = JSON.parse(store.getItem(key) || "null");
    } catch (error) {
      saved = null;
    }
    if (saved && saved.values && saved.versions) {
      const restorable = {};
      for (const [name, value] of Object.entries(saved.values)) {
        const prefix = prefixOf(name.split("=")[0]);
        if (prefix in pageVersions && saved.versions[prefix] === pageVersions[prefix]) {
          restorable[name] = value;
        }
      }
      if (apply(form, restorable) > 0) {
        dirty = true;
        if (notice) {
          notice.classList.remove("d-none");
        }
      } else {
        store.removeItem(key); // nothing left to offer back (saved, or changed by others)
      }
    }

    const save = () => {
      timer = null;
      const now = snapshot(form);
      const changed = {};
      for (const [name, value] of Object.entries(now)) {
        if (original[name] !== value) {
          changed[name] = value;
        }
      }
      if (Object.keys(changed).length === 0) {
        store.removeItem(key);
        dirty = false;
        return;
      }
      try {
        store.setItem(
          key,
          JSON.stringify({ savedAt: new Date().toISOString(), versions: pageVersions, values: changed }),
        );
      } catch (error) {
        // Storage full: the beforeunload warning still protects the typing.
      }
    };

    const changedSomething = () => {
      dirty = true;
      if (timer === null) {
        timer = window.setTimeout(save, 500);
      }
    };
    form.addEventListener("input", changedSomething);
    form.addEventListener("change", changedSomething);

    form.addEventListener("submit", () => {
      // Keep the draft until the server has saved it: a submission can still fail
      // (an ended session sends the browser to the sign-in page). The next visit
      // finds the versions moved on once the save went through, and forgets it.
      if (timer !== null) {
        window.clearTimeout(timer);
        save();
      }
      submitting = true;
    });

    const discard = form.querySelector("[data-autosave-discard]");
    if (discard) {
      discard.addEventListener("click", () => {
        apply(form, original);
        store.removeItem(key);
        dirty = false;
        if (notice) {
          notice.classList.add("d-none");
        }
      });
    }

    window.addEventListener("beforeunload", (event) => {
      if (dirty && !submitting) {
        event.preventDefault();
        event.returnValue = ""; // older browsers need it set
      }
    });
  }

  function forgetDraftsOnSignOut(store) {
    for (const form of document.querySelectorAll("form[data-clear-drafts]")) {
      form.addEventListener("submit", () => {
        const prefix = `${DRAFT_PREFIX}${form.dataset.clearDrafts}:`;
        for (let i = store.length - 1; i >= 0; i -= 1) {
          const name = store.key(i);
          if (name && name.startsWith(prefix)) {
            store.removeItem(name);
          }
        }
      });
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    foldNarrow();
    labelStackedTables();
    focusErrorSummary();
    const store = storage();
    if (store === null) {
      return;
    }
    for (const form of document.querySelectorAll("form[data-autosave-key]")) {
      autosave(form, store);
    }
    forgetDraftsOnSignOut(store);
  });
})();
