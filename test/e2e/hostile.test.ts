/**
 * End to end: payloads that look like markup or script are shown as text in the panel and run nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  badgeText,
  connectFromPalette,
  eventually,
  logRows,
  openExtensionWorkbench,
  panelFrame,
  withFailureShot,
  type Workbench,
} from './fixture';

describe('hostile payloads', () => {
  let wb: Workbench | undefined;

  before(async () => {
    wb = await openExtensionWorkbench();
  });

  after(async () => {
    await wb?.close();
  });

  it('<img onerror> and </script> payloads are listed as text, in the log and in the detail pane, and nothing runs', async () => {
    const w = wb!;
    await withFailureShot(w, 'e2e-6-hostile', async () => {
      const dialogs: string[] = [];
      w.page.on('dialog', (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
      const url = `${w.demo.url}/sse/hostile`;
      await connectFromPalette(w.page, url);
      const frame = await panelFrame(w.page, url);
      await eventually(
        () => badgeText(frame),
        (text) => /^Open since/.test(text),
        15_000,
        'header says open',
      );
      const rows = await eventually(
        () => logRows(frame),
        (rs) => rs.filter((r) => r.type === 'hostile').length >= 5,
        15_000,
        'five hostile events',
      );

      const img = rows.find((r) => r.id === 'h1')!;
      assert.ok(img.data.includes('<img src=x onerror="document.title=\'pwned\'">'), `markup shown verbatim: ${img.data}`);
      const script = rows.find((r) => r.id === 'h2')!;
      assert.ok(script.data.includes('</script><script>document.title="pwned"</script>'), `script tags shown verbatim: ${script.data}`);

      await frame.locator('.row', { hasText: '<img src=x' }).first().click();
      const detail = await eventually(
        () => frame.locator('.detail').innerText(),
        (t) => t.includes('onerror='),
        10_000,
        'the payload in the detail pane',
      );
      assert.ok(detail.includes('<img src=x onerror='), 'the detail pane shows the markup as text');
      await frame.locator('.row', { hasText: '</script>' }).first().click();
      await eventually(
        () => frame.locator('.detail').innerText(),
        (t) => t.includes('</script><script>'),
        10_000,
        'the script payload in the detail pane',
      );

      await w.page.waitForTimeout(500);
      // Evaluated in the webview (this file is compiled without the DOM library).
      const inside = (await frame.evaluate(`({
        title: document.title,
        images: document.querySelectorAll('img').length,
        scripts: [...document.querySelectorAll('script')].map((s) => s.src || s.textContent.slice(0, 80)),
      })`)) as { title: string; images: number; scripts: string[] };
      assert.equal(inside.title, 'Realtime Inspector', 'no payload changed the webview title');
      assert.equal(inside.images, 0, 'no <img> element was created from a payload');
      // VS Code's own acquireVsCodeApi shim and the panel bundle; nothing else, nothing from a payload.
      const foreign = inside.scripts.filter((src) => !src.endsWith('/dist/webview.js') && !src.includes('acquireVsCodeApi'));
      assert.deepEqual(foreign, [], "only the panel bundle and VS Code's shim are scripts");
      assert.equal(inside.scripts.filter((src) => src.endsWith('/dist/webview.js')).length, 1);
      assert.notEqual(await w.page.title(), 'pwned');
      assert.deepEqual(dialogs, []);
      await w.shot('e2e-6-hostile');
    });
  });
});
