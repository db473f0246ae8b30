/* The folded menu of a logged-in person (base.html's <details class="site-menu">, below 40em).
 *
 * The disclosure works alone, without script: the "Menu" button opens and closes it. This adds
 * what a menu is expected to do as well: Escape closes it and puts the focus back on its button;
 * it closes when the focus leaves it (Tab past its last item, a click elsewhere on the page) and
 * when one of its links is chosen (so that going back does not find it open). From 40em on the
 * button is hidden and the menu always shown (passport.css): nothing is done there.
 */
(function () {
  "use strict";

  document.querySelectorAll("details.site-menu").forEach(function (menu) {
    var button = menu.querySelector("summary");
    if (!button) {
      return;
    }

    function folding() {
      // Open, and folded behind a button that is shown (not the wide, always open menu).
      return menu.open && button.getClientRects().length > 0;
    }

    menu.addEventListener("keydown", function (event) {
      if (event.key !== "Escape" || !folding()) {
        return;
      }
      event.preventDefault();
      menu.open = false;
      button.focus();
    });

    menu.addEventListener("focusout", function () {
      // Where the focus went is known once it has moved; the window losing the focus (another
      // application, another tab) leaves the menu as it was.
      window.setTimeout(function () {
        if (folding() && document.hasFocus() && !menu.contains(document.activeElement)) {
          menu.open = false;
        }
      }, 0);
    });

    menu.addEventListener("click", function (event) {
      if (folding() && event.target.closest("a")) {
        menu.open = false;
      }
    });
  });
}());
