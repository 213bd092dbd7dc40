/* Tibao (梯保): small behaviours declared in the markup with data-tb-* attributes (no inline scripts).
 *
 *   <form data-tb-confirm="确定吗？">           asks before submitting
 *   <button data-tb-copy="#id" data-tb-copied="已复制">   copies the value or text of #id
 *   <input type="checkbox" data-tb-check-all="notice">  ticks every checkbox named "notice" in its form
 *   <button data-tb-requires="notice">         enabled only while a checkbox named "notice" is ticked
 *   <input type="checkbox" data-tb-check-group="site-1">  ticks every checkbox with data-tb-group="site-1"
 *                                               in its form, and is ticked itself while all of them are
 *   <div data-tb-progress="/imports/1/progress.json">  polls a running job's JSON (rows read, total,
 *                                               refused, percent) into its data-tb-progress-* children
 *                                               and reloads the page once the job has finished
 */
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-tb-confirm]");
    if (form && !window.confirm(form.dataset.tbConfirm)) {
      event.preventDefault();
    }
  });

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    // Plain http on an intranet has no Clipboard API: fall back to a selected textarea.
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    try {
      document.execCommand("copy");
    } finally {
      document.body.removeChild(area);
    }
    return Promise.resolve();
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-tb-copy]");
    if (!button) {
      return;
    }
    var source = document.querySelector(button.dataset.tbCopy);
    if (!source) {
      return;
    }
    var text = "value" in source ? source.value : source.textContent;
    copyText(text.trim()).then(function () {
      var label = button.querySelector("[data-tb-label]") || button;
      var original = label.textContent;
      label.textContent = button.dataset.tbCopied || original;
      window.setTimeout(function () {
        label.textContent = original;
      }, 2000);
    });
  });

  function updateRequired(form) {
    form.querySelectorAll("[data-tb-requires]").forEach(function (button) {
      var name = button.dataset.tbRequires;
      button.disabled = !form.querySelector('input[type="checkbox"][name="' + name + '"]:checked');
    });
  }

  function groupMembers(form, group) {
    return form.querySelectorAll('input[type="checkbox"][data-tb-group="' + group + '"]');
  }

  function updateGroups(form) {
    form.querySelectorAll("[data-tb-check-group]").forEach(function (box) {
      var members = Array.prototype.slice.call(groupMembers(form, box.dataset.tbCheckGroup));
      box.checked = members.length > 0 && members.every(function (member) {
        return member.checked;
      });
    });
  }

  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.form) {
      return;
    }
    if (box.dataset.tbCheckAll) {
      box.form
        .querySelectorAll('input[type="checkbox"][name="' + box.dataset.tbCheckAll + '"]')
        .forEach(function (other) {
          other.checked = box.checked;
        });
    }
    if (box.dataset.tbCheckGroup) {
      groupMembers(box.form, box.dataset.tbCheckGroup).forEach(function (member) {
        member.checked = box.checked;
      });
    }
    updateGroups(box.form);
    updateRequired(box.form);
  });

  function watchProgress(box) {
    var bar = box.querySelector("[data-tb-progress-bar]");
    var meter = box.querySelector('[role="progressbar"]');

    function setText(name, value) {
      var element = box.querySelector("[data-tb-progress-" + name + "]");
      if (element && value !== null && value !== undefined) {
        element.textContent = value;
      }
    }

    function showPercent(percent) {
      // No total known: a full striped bar says "working" without claiming a share.
      if (bar) {
        bar.style.width = (percent === null ? 100 : percent) + "%";
      }
      if (meter && percent !== null) {
        meter.setAttribute("aria-valuenow", percent);
      }
    }

    function poll() {
      fetch(box.dataset.tbProgress, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          return response.ok ? response.json() : Promise.reject(response.status);
        })
        .then(function (data) {
          if (data.is_finished) {
            window.location.reload();
            return;
          }
          setText("status", data.status_display);
          setText("read", data.rows_read);
          setText("total", data.rows_total);
          setText("refused", data.rows_refused);
          showPercent(data.percent);
          window.setTimeout(poll, 2000);
        })
        .catch(function () {
          window.setTimeout(poll, 5000);
        });
    }

    showPercent(bar && bar.dataset.percent !== "" ? Number(bar.dataset.percent) : null);
    window.setTimeout(poll, 1500);
  }

  document.querySelectorAll("[data-tb-progress]").forEach(watchProgress);

  document.querySelectorAll("form").forEach(function (form) {
    if (form.querySelector("[data-tb-check-group]")) {
      updateGroups(form);
    }
    if (form.querySelector("[data-tb-requires]")) {
      updateRequired(form);
    }
  });
})();
