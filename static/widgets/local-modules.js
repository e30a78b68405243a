// Make the widget manager take everything from this book, never from a CDN.
//
// Loaded after require.js and before embed-amd.js (_config.yml: nb_ipywidgets_js).
// - The html-manager asks require.js for each widget module by name (here only "anywidget") and
//   falls back to jsDelivr when that fails; mapping the name to the copy beside this file makes
//   the first try succeed.
// - Each bundle inside embed-amd.js finds the fonts its CSS names relative to the URL require.js
//   gives that bundle's module ("@jupyter-widgets/base", ".../html-manager/dist/libembed-amd",
//   ...); mapping those names to this folder (and setting __jupyter_widgets_assets_path__,
//   which one bundle reads instead) makes the fonts load from here.
(function () {
  var here = document.currentScript.src.replace(/[?#].*$/, "").replace(/[^/]*$/, "");
  window.__jupyter_widgets_assets_path__ = here;
  window.requirejs.config({
    paths: {
      anywidget: here + "anywidget/index",
      "@jupyter-widgets": here.replace(/\/$/, ""),
      "@jupyter-widgets/html-manager/dist": here.replace(/\/$/, ""),
    },
  });
})();
