// Evaluated by bench/flood.ts in the workbench page and in the panel's webview frame (through the
// DevTools protocol, so the webview's CSP does not apply). Installs `window.__flood`:
//   start() / stop()      animation-frame timestamps and long tasks (PerformanceObserver 'longtask')
//                         between the two; times are epoch ms (timeOrigin + now) to compare frames
//   keysSince(epoch)      keydown events seen (capture, on window) since a time
//   armFilter(text)       a promise for the first moment, just after a frame was drawn, when the panel's
//                         filter is `text` (window.__inspector.filterText())
//   armQuickInput()       the same for the workbench's quick input being visible
(() => {
  if (window.__flood) {
    return;
  }
  const epoch = (t) => performance.timeOrigin + t;
  let running = false;
  let frames = [];
  let longTasks = [];
  const keys = [];
  /** Conditions checked after each frame: { test, resolve }. */
  const watchers = [];
  new PerformanceObserver((list) => {
    if (!running) {
      return;
    }
    for (const entry of list.getEntries()) {
      longTasks.push({ start: epoch(entry.startTime), ms: entry.duration, name: entry.name });
    }
  }).observe({ type: 'longtask' });
  addEventListener('keydown', (e) => keys.push({ key: e.key, at: epoch(e.timeStamp) }), true);
  // A message posted from an animation frame callback is delivered after that frame's style, layout
  // and paint: the moment a change made in the frame is on screen.
  const afterPaint = new MessageChannel();
  afterPaint.port1.onmessage = () => {
    const now = epoch(performance.now());
    for (let i = watchers.length - 1; i >= 0; i--) {
      if (watchers[i].test()) {
        watchers[i].resolve(now);
        watchers.splice(i, 1);
      }
    }
  };
  const onFrame = (ts) => {
    if (running) {
      frames.push(epoch(ts));
    }
    if (watchers.length) {
      afterPaint.port2.postMessage(0);
    }
    requestAnimationFrame(onFrame);
  };
  requestAnimationFrame(onFrame);
  const watch = (test) => new Promise((resolve) => watchers.push({ test, resolve }));
  window.__flood = {
    start() {
      frames = [];
      longTasks = [];
      running = true;
      return epoch(performance.now());
    },
    stop() {
      running = false;
      return { frames, longTasks };
    },
    keysSince(at) {
      return keys.filter((k) => k.at >= at);
    },
    now() {
      return epoch(performance.now());
    },
    armFilter(text) {
      window.__floodFilter = watch(() => window.__inspector.filterText() === text);
    },
    armQuickInput() {
      window.__floodQuick = watch(() => {
        const widget = document.querySelector('.quick-input-widget');
        return !!widget && widget.style.display !== 'none' && widget.getBoundingClientRect().height > 0;
      });
    },
  };
})();
