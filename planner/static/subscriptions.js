// Copy buttons for feed addresses. Without JavaScript the buttons stay hidden and the address
// is still in a read-only field that can be selected and copied by hand.
(function () {
  "use strict";
  function copyText(input) {
    input.focus();
    input.select();
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(input.value).then(
        function () { return true; },
        function () { return document.execCommand("copy"); }
      );
    }
    return Promise.resolve(document.execCommand("copy"));
  }
  document.querySelectorAll("button.copy[data-copy]").forEach(function (button) {
    var id = button.getAttribute("data-copy");
    var input = document.getElementById(id);
    var status = document.getElementById(id + "-status");
    if (!input) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      copyText(input).then(function (copied) {
        if (status) {
          status.textContent = button.getAttribute(copied ? "data-done" : "data-fail");
        }
      });
    });
  });
  document.querySelectorAll("input.link-input").forEach(function (input) {
    input.addEventListener("focus", function () { input.select(); });
  });
})();
