// Stand-in for the VS Code webview host, loaded by nonce before dist/webview.js as the real panel's
// script is: acquireVsCodeApi, a record of what the panel posts, and a long-task observer started
// before the webview's first line runs.
(function () {
  window.__posted = [];
  window.__longTasks = [];
  let state;
  window.acquireVsCodeApi = function () {
    return {
      postMessage(msg) {
        window.__posted.push(msg);
      },
      getState() {
        return state;
      },
      setState(s) {
        state = s;
      },
    };
  };
  try {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        window.__longTasks.push({ start: entry.startTime, duration: entry.duration });
      }
    }).observe({ type: 'longtask', buffered: true });
  } catch {
    window.__noLongTasks = true;
  }
})();
