#!/usr/bin/python3
"""PyTorch re-statements of the reference pretraining steps, for terramae's benchmark harness.

Written for this harness from the published descriptions (MMEarth-train's FCMAE with the dense
masked-conv emulation of its sparse ConvNeXt V2, facebookresearch/mae, NeighborMAE); no code is
copied from those repositories. Each step is forward with every loss, backward and AdamW, at the
same shapes as the terramae workload. Prints one JSON object.

  /usr/bin/python3 reference.py --model mpmae --size atto --input 56 --patch 8 --batch 8 \
      --threads 1 --warmup 2 --runs 5
"""
import argparse
import json
import math
import resource
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

CNX = {'atto': ([2, 2, 6, 2], [40, 80, 160, 320]), 'femto': ([2, 2, 6, 2], [48, 96, 192, 384])}
VIT = {'tiny': (192, 12, 3), 'small': (384, 12, 6), 'base': (768, 12, 12)}
# MMEarth "all" targets: name -> (kind, channels). Pixel tasks carry per-pixel channels.
PIX = {'sentinel2': ('recon', 12), 'sentinel1': ('mse', 8), 'aster': ('mse', 2), 'canopy_height_eth': ('mse', 2),
       'dynamic_world': ('ce', 9), 'esa_worldcover': ('ce', 11)}
IMG = {'era5': ('mse', 12), 'lat': ('mse', 2), 'lon': ('mse', 2), 'biome': ('ce', 14), 'eco_region': ('ce', 846),
       'month': ('mse', 2)}


# ---------------------------------------------------------------- ConvNeXt V2 with FCMAE masking
class LNC(nn.Module):
    """LayerNorm over channels of an NHWC tensor (ConvNeXt's channels-last LN)."""

    def __init__(self, d):
        super().__init__()
        self.ln = nn.LayerNorm(d, eps=1e-6)

    def forward(self, x):
        return self.ln(x)


class GRN(nn.Module):
    """Global response norm, statistics over the visible positions of each sample (NHWC)."""

    def __init__(self, d, eps):
        super().__init__()
        self.gamma = nn.Parameter(torch.zeros(d))
        self.beta = nn.Parameter(torch.zeros(d))
        self.eps = eps

    def forward(self, x, vis):
        g = torch.sqrt(((x * vis) ** 2).sum(dim=(1, 2), keepdim=True))
        n = g / (g.mean(dim=-1, keepdim=True) + self.eps)
        return self.gamma * (x * n) + self.beta + x


class Block(nn.Module):
    """dw7x7 -> LN -> Linear 4d -> GELU -> GRN -> Linear d -> residual; masked cells zeroed before the dw conv."""

    def __init__(self, d, grn_eps):
        super().__init__()
        self.dw = nn.Conv2d(d, d, 7, padding=3, groups=d)
        self.norm = LNC(d)
        self.fc1 = nn.Linear(d, 4 * d)
        self.grn = GRN(4 * d, grn_eps)
        self.fc2 = nn.Linear(4 * d, d)

    def forward(self, x, vis):  # x NHWC, vis [N,H,W,1]
        y = self.dw((x * vis).permute(0, 3, 1, 2)).permute(0, 2, 3, 1) * vis
        y = self.fc2(self.grn(F.gelu(self.fc1(self.norm(y))), vis))
        return x + y


class MaskedConvNeXtV2(nn.Module):
    """MMEarth's pretraining encoder (modified stem), run densely with zeroed masked cells."""

    def __init__(self, size, cin, patch):
        super().__init__()
        depths, dims = CNX[size]
        k = patch // 8
        self.initial = nn.Conv2d(cin, dims[0], 3, padding=1)
        self.init_norm = LNC(dims[0])
        self.stem = nn.Conv2d(dims[0], dims[0], k, stride=k, groups=dims[0])
        self.stem_norm = LNC(dims[0])
        self.down_norm = nn.ModuleList([LNC(dims[i]) for i in range(3)])
        self.down = nn.ModuleList([nn.Conv2d(dims[i], dims[i + 1], 2, stride=2) for i in range(3)])
        self.stages = nn.ModuleList([nn.ModuleList([Block(dims[i], 1e-6) for _ in range(depths[i])]) for i in range(4)])
        self.k = k

    def forward(self, x, mask):  # x NCHW, mask [N,7,7] 1=masked
        def vis_at(h):
            return (1 - mask).repeat_interleave(h // 7, 1).repeat_interleave(h // 7, 2).unsqueeze(-1)

        h = x.shape[2]
        v = vis_at(h)
        x = self.initial(x * v.permute(0, 3, 1, 2)).permute(0, 2, 3, 1) * v
        x = F.gelu(self.init_norm(x))
        x = self.stem((x * v).permute(0, 3, 1, 2)).permute(0, 2, 3, 1)
        h = x.shape[1]
        v = vis_at(h)
        x = self.stem_norm(x * v)
        for i in range(4):
            if i > 0:
                x = self.down[i - 1]((self.down_norm[i - 1](x) * v).permute(0, 3, 1, 2)).permute(0, 2, 3, 1)
                h = x.shape[1]
                v = vis_at(h)
            for blk in self.stages[i]:
                x = blk(x, v)
        return x * v  # [N,7,7,C]


def patchify_nhwc(t, p):  # [N,H,W,C] -> [N,L,p*p*C] (channel fastest)
    n, hh, ww, c = t.shape
    h, w = hh // p, ww // p
    return t.reshape(n, h, p, w, p, c).permute(0, 1, 3, 2, 4, 5).reshape(n, h * w, p * p * c)


class FCMAE(nn.Module):
    """FCMAE / MP-MAE: encoder, 1x1 proj to 512, mask token, one shared decoder block, task heads."""

    def __init__(self, size, patch, tasks):
        super().__init__()
        self.p = patch
        self.encoder = MaskedConvNeXtV2(size, 12, patch)
        dec = 512
        self.proj = nn.Linear(CNX[size][1][-1], dec)
        self.mask_token = nn.Parameter(torch.zeros(dec))
        self.decoder = Block(dec, 1e-4)
        self.pix = [k for k in PIX if tasks in ('all', 'pix') or k == 'sentinel2']
        self.img = [k for k in IMG if tasks in ('all', 'img')]
        self.pix_heads = nn.ModuleDict({k: nn.Linear(dec, patch * patch * PIX[k][1]) for k in self.pix})
        self.img_norm = nn.LayerNorm(dec, eps=1e-6)
        self.img_heads = nn.ModuleDict({k: nn.Linear(dec, IMG[k][1]) for k in self.img})
        self.log_vars = nn.Parameter(torch.zeros(len(self.pix) + len(self.img)))

    def forward(self, batch, mask):
        feat = self.encoder(batch['sentinel2'], mask)
        m = mask.unsqueeze(-1)
        z = self.proj(feat)
        z = z * (1 - m) + self.mask_token * m
        z = self.decoder(z, torch.ones_like(m))  # dense decoder: every cell visible
        tokens = z.reshape(z.shape[0], 49, -1)
        mflat = mask.reshape(mask.shape[0], 49)
        losses = []
        for k in self.pix:
            kind, c = PIX[k]
            pred = self.pix_heads[k](tokens)
            tgt = batch[k]
            if kind == 'ce':
                logits = pred.reshape(pred.shape[0], 49, self.p * self.p, c)
                lab = patchify_nhwc(tgt.unsqueeze(-1).float(), self.p).long()  # [N,49,p*p]
                lab = torch.where(mflat.unsqueeze(-1) > 0, lab, torch.full_like(lab, -1))
                losses.append(F.cross_entropy(logits.reshape(-1, c), lab.reshape(-1), ignore_index=-1))
            else:
                t = patchify_nhwc(tgt.permute(0, 2, 3, 1), self.p)
                if kind == 'recon':  # norm-pix on S2
                    mu = t.mean(-1, keepdim=True)
                    var = t.var(-1, keepdim=True)
                    t = (t - mu) / torch.sqrt(var + 1e-6)
                per = ((pred - t) ** 2).mean(-1)
                lm = per * mflat
                losses.append(lm.sum() / torch.count_nonzero(lm).clamp(min=1))
        if self.img:
            pooled = self.img_norm(z).mean(dim=(1, 2))
            for k in self.img:
                kind, c = IMG[k]
                out = self.img_heads[k](pooled)
                losses.append(F.cross_entropy(out, batch[k]) if kind == 'ce' else F.mse_loss(out, batch[k]))
        total = 0
        for i, l in enumerate(losses):
            total = total + torch.exp(-self.log_vars[i]) * l + self.log_vars[i]
        return total


# ---------------------------------------------------------------- ViT MAE / NeighborMAE
class ViTBlock(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.n1 = nn.LayerNorm(d, eps=1e-6)
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)
        self.n2 = nn.LayerNorm(d, eps=1e-6)
        self.fc1 = nn.Linear(d, 4 * d)
        self.fc2 = nn.Linear(4 * d, d)
        self.h = heads

    def forward(self, x):
        b, n, d = x.shape
        q, k, v = self.qkv(self.n1(x)).reshape(b, n, 3, self.h, d // self.h).permute(2, 0, 3, 1, 4)
        a = (q @ k.transpose(-2, -1)) * (d // self.h) ** -0.5
        y = (a.softmax(-1) @ v).transpose(1, 2).reshape(b, n, d)
        x = x + self.proj(y)
        return x + self.fc2(F.gelu(self.fc1(self.n2(x))))


def sincos_2d(d, g):
    """MAE's fixed 2-D sin-cos embedding for a g x g grid (x in the first half)."""
    om = 1.0 / 10000 ** (torch.arange(d // 4, dtype=torch.float32) / (d // 4))
    ys, xs = torch.meshgrid(torch.arange(g, dtype=torch.float32), torch.arange(g, dtype=torch.float32), indexing='ij')
    def enc(c):
        o = c.reshape(-1, 1) * om
        return torch.cat([o.sin(), o.cos()], 1)
    return torch.cat([enc(xs), enc(ys)], 1)


def box_pe(d, boxes, g):
    """NeighborMAE's footprint-box PE: sin-cos of (left, top, right, bottom) of each patch box."""
    n = d // 8
    om = 10000 ** (-torch.linspace(0, 1, n))
    l, t, r, b = boxes.unbind(-1)  # [B,V]
    f = torch.linspace(0, 1, g + 1)
    xs = l[..., None] + (r - l)[..., None] * f
    ys = t[..., None] + (b - t)[..., None] * f
    cols = [xs[..., None, :-1].expand(*xs.shape[:-1], g, g), ys[..., :-1, None].expand(*ys.shape[:-1], g, g),
            xs[..., None, 1:].expand(*xs.shape[:-1], g, g), ys[..., 1:, None].expand(*ys.shape[:-1], g, g)]
    parts = []
    for c in cols:
        o = c.reshape(*c.shape[:-2], g * g, 1) * om
        parts += [o.sin(), o.cos()]
    return torch.cat(parts, -1)  # [B,V,L,d]


class MAE(nn.Module):
    """facebookresearch/mae's MaskedAutoencoderViT at patch 8 on 12 bands; views=2 is NeighborMAE."""

    def __init__(self, size, patch, img, views=1, img_tasks=False):
        super().__init__()
        d, depth, heads = VIT[size]
        self.p, self.g, self.views, self.d = patch, img // patch, views, d
        L = self.g ** 2
        self.embed = nn.Linear(patch * patch * 12, d)
        self.cls = nn.Parameter(torch.zeros(1, 1, d))
        self.register_buffer('pos', sincos_2d(d, self.g), persistent=False)
        self.register_buffer('dpos', sincos_2d(512, self.g), persistent=False)
        self.view_embed = nn.Parameter(torch.zeros(views, d))
        self.dview_embed = nn.Parameter(torch.zeros(views, 512))
        self.blocks = nn.ModuleList([ViTBlock(d, heads) for _ in range(depth)])
        self.norm = nn.LayerNorm(d, eps=1e-6)
        self.dec_embed = nn.Linear(d, 512)
        self.mask_token = nn.Parameter(torch.zeros(1, 1, 512))
        self.dec = nn.ModuleList([ViTBlock(512, 16) for _ in range(8)])
        self.dnorm = nn.LayerNorm(512, eps=1e-6)
        self.pred = nn.Linear(512, patch * patch * 12)
        self.img = list(IMG) if img_tasks else []
        self.img_norm = nn.LayerNorm(d, eps=1e-6)
        self.img_heads = nn.ModuleDict({k: nn.Linear(d, IMG[k][1]) for k in self.img})
        self.log_vars = nn.Parameter(torch.zeros(1 + len(self.img)))
        self.L = L

    def forward(self, batch, ratio):
        x = batch['sentinel2']  # [B*V, C, H, W]
        bv = x.shape[0]
        b = bv // self.views
        L, keep = self.L, int(self.L * (1 - ratio))
        patches = patchify_nhwc(x.permute(0, 2, 3, 1), self.p)  # [BV,L,P]
        if self.views > 1:
            pe = box_pe(self.d, batch['boxes'], self.g).reshape(bv, L, self.d) + self.view_embed.repeat(b, 1)[:, None]
            dpe = box_pe(512, batch['boxes'], self.g).reshape(bv, L, 512) + self.dview_embed.repeat(b, 1)[:, None]
        else:
            pe, dpe = self.pos.expand(bv, L, self.d), self.dpos.expand(bv, L, 512)
        noise = torch.rand(bv, L)
        ids_shuffle = noise.argsort(1)
        ids_restore = ids_shuffle.argsort(1)
        ids_keep = ids_shuffle[:, :keep]
        tok = self.embed(patches) + pe
        tok = torch.gather(tok, 1, ids_keep[..., None].expand(-1, -1, self.d))
        tok = tok.reshape(b, self.views * keep, self.d)  # joint attention over both views
        h = torch.cat([self.cls.expand(b, -1, -1), tok], 1)
        for blk in self.blocks:
            h = blk(h)
        h = self.norm(h)
        z = self.dec_embed(h)
        vis = z[:, 1:].reshape(bv, keep, 512)
        full = torch.cat([vis, self.mask_token.expand(bv, L - keep, -1)], 1)
        full = torch.gather(full, 1, ids_restore[..., None].expand(-1, -1, 512)) + dpe
        y = torch.cat([z[:, :1], full.reshape(b, self.views * L, 512)], 1)
        for blk in self.dec:
            y = blk(y)
        pred = self.pred(self.dnorm(y))[:, 1:].reshape(bv, L, -1)
        mu = patches.mean(-1, keepdim=True)
        var = patches.var(-1, keepdim=True)
        t = (patches - mu) / torch.sqrt(var + 1e-6)
        mask = torch.ones(bv, L)
        mask[:, :keep] = 0
        mask = torch.gather(mask, 1, ids_restore)
        loss = (((pred - t) ** 2).mean(-1) * mask).sum() / mask.sum()
        if not self.img:
            return loss
        pooled = self.img_norm(h[:, 1:].mean(1))
        total = torch.exp(-self.log_vars[0]) * loss + self.log_vars[0]
        for i, k in enumerate(self.img):
            kind, _ = IMG[k]
            out = self.img_heads[k](pooled)
            l = F.cross_entropy(out, batch[k]) if kind == 'ce' else F.mse_loss(out, batch[k])
            total = total + torch.exp(-self.log_vars[i + 1]) * l + self.log_vars[i + 1]
        return total


# ---------------------------------------------------------------- harness
def make_batch(model, n, img, views):
    g = torch.Generator().manual_seed(0)
    bv = n * views
    b = {'sentinel2': torch.randn(bv, 12, img, img, generator=g)}
    for k, (kind, c) in PIX.items():
        if k == 'sentinel2':
            continue
        b[k] = torch.randint(-1, c, (bv, img, img), generator=g) if kind == 'ce' else torch.randn(bv, c, img, img, generator=g)
    for k, (kind, c) in IMG.items():
        b[k] = torch.randint(0, c, (n,), generator=g) if kind == 'ce' else torch.randn(n, c, generator=g)
    if views > 1:
        b['boxes'] = torch.tensor([[0.0, 32.0, 24.0, 8.0], [8.0, 24.0, 32.0, 0.0]]).expand(n, 2, 4).contiguous()
    return b


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--model', required=True, choices=['mpmae', 'fcmae', 'mae', 'neighbormae', 'hybrid'])
    ap.add_argument('--size', default='atto')
    ap.add_argument('--input', type=int, default=56)
    ap.add_argument('--patch', type=int, default=8)
    ap.add_argument('--batch', type=int, default=8)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--warmup', type=int, default=2)
    ap.add_argument('--runs', type=int, default=5)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    views = 2 if a.model in ('neighbormae', 'hybrid') else 1
    if a.model in ('mpmae', 'fcmae'):
        model = FCMAE(a.size, a.patch, 'all' if a.model == 'mpmae' else 's2')
        decay = 0.05
    else:
        model = MAE(a.size, a.patch, a.input, views, img_tasks=a.model == 'hybrid')
        decay = 0.05
    decayed = [p for n, p in model.named_parameters() if p.ndim > 1]
    other = [p for n, p in model.named_parameters() if p.ndim <= 1]
    opt = torch.optim.AdamW([{'params': decayed, 'weight_decay': decay}, {'params': other, 'weight_decay': 0.0}],
                            lr=1e-4, betas=(0.9, 0.95))
    batch = make_batch(model, a.batch, a.input, views)
    gen = torch.Generator().manual_seed(1)

    def step():
        if isinstance(model, FCMAE):
            noise = torch.rand(a.batch, 49, generator=gen)
            keep = int(49 * (1 - 0.6))
            ranks = noise.argsort(1).argsort(1)
            mask = (ranks >= keep).float().reshape(a.batch, 7, 7)
            loss = model(batch, mask)
        else:
            ratio = 0.75 if views == 1 else 0.8
            loss = model(batch, ratio)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return float(loss)

    for _ in range(a.warmup):
        step()
    times, cpu = [], []
    for _ in range(a.runs):
        t0, c0 = time.perf_counter(), time.process_time()
        step()
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    params = sum(p.numel() for p in model.parameters())
    print(json.dumps({'msPerStep': times, 'cpuMsPerStep': cpu, 'peakRssMB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      'threads': torch.get_num_threads(), 'torch': torch.__version__, 'parameters': params,
                      'python': sys.version.split()[0]}))


if __name__ == '__main__':
    main()
