// Draws media/icon.png (128×128, the marketplace icon) with no dependencies: a signal trace and
// two wave arcs on a rounded square, antialiased by distance, written as an RGBA PNG.
//   node scripts/make-icon.mjs
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const N = 128;
const S = 4; // supersampling per axis
const px = new Float64Array(N * N * 4);

const lerp = (a, b, t) => a + (b - a) * t;
const top = [0x3b, 0x82, 0xf6];
const bottom = [0x7c, 0x3a, 0xed];

function segDist(x, y, [ax, ay], [bx, by]) {
  const dx = bx - ax,
    dy = by - ay;
  const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(x - (ax + t * dx), y - (ay + t * dy));
}
// The trace of activity.svg, scaled from 24 to 128 units.
const k = 128 / 24;
const trace = [
  [2.5, 12],
  [6, 12],
  [8, 7],
  [11, 17],
  [14, 5],
  [16.5, 12],
  [21.5, 12],
].map(([x, y]) => [x * k, y * k]);
function arcDist(x, y, cx, cy, r, from, to) {
  const a = Math.atan2(y - cy, x - cx);
  const inside = from <= to ? a >= from && a <= to : a >= from || a <= to;
  if (inside) {
    return Math.abs(Math.hypot(x - cx, y - cy) - r);
  }
  const p = (ang) => Math.hypot(x - (cx + r * Math.cos(ang)), y - (cy + r * Math.sin(ang)));
  return Math.min(p(from), p(to));
}
function roundedInside(x, y) {
  const r = 26,
    m = 4;
  const qx = Math.max(Math.abs(x - 64) - (64 - m - r), 0);
  const qy = Math.max(Math.abs(y - 64) - (64 - m - r), 0);
  return Math.hypot(qx, qy) <= r;
}

for (let y = 0; y < N; y++) {
  for (let x = 0; x < N; x++) {
    let r = 0,
      g = 0,
      b = 0,
      a = 0;
    for (let sy = 0; sy < S; sy++) {
      for (let sx = 0; sx < S; sx++) {
        const fx = x + (sx + 0.5) / S,
          fy = y + (sy + 0.5) / S;
        if (!roundedInside(fx, fy)) {
          continue;
        }
        const t = (fx + fy) / (2 * N);
        let c = [lerp(top[0], bottom[0], t), lerp(top[1], bottom[1], t), lerp(top[2], bottom[2], t)];
        let d = Infinity;
        for (let i = 0; i < trace.length - 1; i++) {
          d = Math.min(d, segDist(fx, fy, trace[i], trace[i + 1]));
        }
        const arcs = Math.min(
          arcDist(fx, fy, 64, 64, 53, -Math.PI * 0.3, Math.PI * 0.3),
          arcDist(fx, fy, 64, 64, 53, Math.PI * 0.7, -Math.PI * 0.7),
        );
        if (d <= 5) {
          c = [255, 255, 255];
        } else if (arcs <= 3.5) {
          c = c.map((v) => lerp(v, 255, 0.55));
        }
        r += c[0];
        g += c[1];
        b += c[2];
        a += 255;
      }
    }
    const n = S * S,
      i = (y * N + x) * 4;
    px[i] = a ? (r / n) * ((255 * n) / a) : 0;
    px[i + 1] = a ? (g / n) * ((255 * n) / a) : 0;
    px[i + 2] = a ? (b / n) * ((255 * n) / a) : 0;
    px[i + 3] = a / n;
  }
}

const raw = Buffer.alloc(N * (N * 4 + 1));
for (let y = 0; y < N; y++) {
  raw[y * (N * 4 + 1)] = 0;
  for (let x = 0; x < N * 4; x++) {
    raw[y * (N * 4 + 1) + 1 + x] = Math.round(Math.max(0, Math.min(255, px[y * N * 4 + x])));
  }
}
const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let j = 0; j < 8; j++) {
    c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return c >>> 0;
});
const crc = (buf) => {
  let c = 0xffffffff;
  for (const byte of buf) {
    c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
  }
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const c = Buffer.alloc(4);
  c.writeUInt32BE(crc(td));
  return Buffer.concat([len, td, c]);
};
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(N, 0);
ihdr.writeUInt32BE(N, 4);
ihdr[8] = 8; // bit depth
ihdr[9] = 6; // RGBA
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', ihdr),
  chunk('IDAT', deflateSync(raw, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
writeFileSync(new URL('../media/icon.png', import.meta.url), png);
console.log(`media/icon.png: ${png.length} bytes`);
