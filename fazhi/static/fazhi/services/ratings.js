/* The rating form (portal link and counter device): shows the reasons of the side the chosen
   level belongs to, and the name and phone only for a real-name rating. Without JavaScript
   every field shows and the server checks the same rules. */
(function () {
  "use strict";
  function setup() {
    var form = document.getElementById("rating-form");
    if (!form) { return; }
    var good = document.getElementById("good-reasons");
    var bad = document.getElementById("bad-reasons");
    var details = document.getElementById("real-name-details");
    function sync() {
      var level = form.querySelector('input[name="level"]:checked');
      var value = level ? parseInt(level.value, 10) : 0;
      // 1–2: the good list; 4–5: the bad list; 3 (基本满意) or nothing chosen yet: both.
      good.hidden = value >= 4;
      bad.hidden = value >= 1 && value <= 2;
      [good, bad].forEach(function (box) {
        if (box.hidden) {
          box.querySelectorAll("input").forEach(function (input) { input.checked = false; });
        }
      });
      var real = form.querySelector('input[name="real_name"]:checked');
      details.hidden = !real || real.value !== "1";
    }
    form.addEventListener("change", sync);
    sync();
    form.setAttribute("data-ready", "1");
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", setup); } else { setup(); }
})();
