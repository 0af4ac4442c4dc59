#!/usr/bin/env python3
"""PyTorch reference for `npm run bench:lm`: the same decoder as agent/model.ts (pre-norm,
learned positions, tied embeddings, GELU-tanh, bias-free linears, LayerNorm with bias,
AdamW) at the same shape and with the same initialisation (nanoGPT's, as agent/model.ts:
every weight N(0, 0.02), the residual output projections o and proj N(0, 0.02/sqrt(2L)),
LayerNorm 1 and 0). PyTorch's default init (embeddings N(0, 1), tied to the head) made the
backward pass fill with denormals, 89% of a step in aten::mm at ~17 ms a call: an unfair
reference. As a check, the training step is also timed with torch.set_flush_denormal(True):
with the right init it must not change the speed (the JSON reports both and their ratio).
Prints one JSON line: training tokens/s and KV-cache decoding tokens/s at batch 1 and at
--decode-batch, each the median of timed repeats after warm-up, wall clock and per
CPU-second. Run with Debian's python3-torch: OPENBLAS_NUM_THREADS=1, --threads torch threads."""
import argparse, json, math, statistics, time
import torch
import torch.nn as nn
import torch.nn.functional as F

p = argparse.ArgumentParser()
for k, v in dict(layers=2, d=128, heads=4, ctx=128, batch=16, vocab=512, steps=5, threads=2, decode_steps=64, decode_batch=32).items():
    p.add_argument('--' + k.replace('_', '-'), type=int, default=v)
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(0)


class Block(nn.Module):
    def __init__(s, d, h):
        super().__init__()
        s.h = h
        s.ln1, s.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        s.qkv, s.o = nn.Linear(d, 3 * d, bias=False), nn.Linear(d, d, bias=False)
        s.fc, s.proj = nn.Linear(d, 4 * d, bias=False), nn.Linear(4 * d, d, bias=False)

    def forward(s, x, cache=None):
        B, T, D = x.shape
        hd = D // s.h
        q, k, v = s.qkv(s.ln1(x)).split(D, dim=2)
        q, k, v = [t.view(B, T, s.h, hd).transpose(1, 2) for t in (q, k, v)]  # (B, H, T, hd)
        if cache is not None:
            if 'k' in cache:
                k = torch.cat([cache['k'], k], 2)
                v = torch.cat([cache['v'], v], 2)
            cache['k'], cache['v'] = k, v
        S = k.shape[2]
        att = (q @ k.transpose(-2, -1)) / math.sqrt(hd)
        mask = torch.ones(T, S, dtype=torch.bool).tril(S - T)
        att = att.masked_fill(~mask, float('-inf')).softmax(-1)
        z = (att @ v).transpose(1, 2).reshape(B, T, D)
        x = x + s.o(z)
        return x + s.proj(F.gelu(s.fc(s.ln2(x)), approximate='tanh'))


class GPT(nn.Module):
    def __init__(s):
        super().__init__()
        s.wte, s.wpe = nn.Embedding(a.vocab, a.d), nn.Embedding(a.ctx, a.d)
        s.blocks = nn.ModuleList([Block(a.d, a.heads) for _ in range(a.layers)])
        s.lnf = nn.LayerNorm(a.d)

    def forward(s, idx, caches=None, start=0):
        B, T = idx.shape
        x = s.wte(idx) + s.wpe(torch.arange(start, start + T))
        for i, b in enumerate(s.blocks):
            x = b(x, None if caches is None else caches[i])
        return s.lnf(x) @ s.wte.weight.t()


m = GPT()
# agent/model.ts's init (nanoGPT): N(0, 0.02), residual output projections N(0, 0.02 / sqrt(2L)).
with torch.no_grad():
    proj_std = 0.02 / math.sqrt(2 * a.layers)
    for name, prm in m.named_parameters():
        if name.endswith('.o.weight') or name.endswith('.proj.weight'):
            prm.normal_(0.0, proj_std)
        elif prm.dim() == 2:
            prm.normal_(0.0, 0.02)  # wte (tied head), wpe, qkv, fc
        elif name.endswith('.weight'):
            prm.fill_(1.0)  # LayerNorm gain
        else:
            prm.zero_()  # LayerNorm bias
opt = torch.optim.AdamW(m.parameters(), lr=1e-3, betas=(0.9, 0.95), weight_decay=0.1)
x = torch.randint(0, a.vocab, (a.batch, a.ctx + 1))
last_logit_grad = []  # the logits' gradient of the last step (the backward pass's biggest operand)


def step():
    logits = m(x[:, :-1])
    logits.register_hook(lambda g: last_logit_grad[:] and last_logit_grad.clear() or last_logit_grad.append(g.detach()))
    loss = F.cross_entropy(logits.reshape(-1, a.vocab), x[:, 1:].reshape(-1))
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(m.parameters(), 1.0)
    opt.step()
def timed_steps():
    times, cpu = [], []
    for _ in range(a.steps):
        t0, c0 = time.perf_counter(), time.process_time()
        step()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return a.batch * a.ctx / statistics.median(times), a.batch * a.ctx / statistics.median(cpu)


def denormal_share():
    """Share of the nonzero values of the last step's gradients (parameters' and the logits',
    which the backward products read) that are subnormal floats."""
    tiny = torch.finfo(torch.float32).tiny
    sub = nz = 0
    for g in [prm.grad for prm in m.parameters() if prm.grad is not None] + last_logit_grad:
        g = g.abs()
        sub += int(((g > 0) & (g < tiny)).sum())
        nz += int((g > 0).sum())
    return sub / max(nz, 1)


step()
train, train_cpu = timed_steps()
denormals = denormal_share()
torch.set_flush_denormal(True)
flush_train, flush_train_cpu = timed_steps()
torch.set_flush_denormal(False)


@torch.no_grad()
def decode(B):
    steps = min(a.decode_steps, a.ctx - 8)
    rates, cpu_rates = [], []
    for rep in range(4):
        caches = [{} for _ in m.blocks]
        logits = m(torch.randint(0, a.vocab, (B, 8)), caches)[:, -1]
        t0, c0 = time.perf_counter(), time.process_time()
        for s in range(steps):
            nxt = logits.argmax(-1, keepdim=True)
            logits = m(nxt, caches, start=8 + s)[:, -1]
        if rep > 0:
            rates.append(B * steps / (time.perf_counter() - t0))
            cpu_rates.append(B * steps / (time.process_time() - c0))
    return statistics.median(rates), statistics.median(cpu_rates)

d1, d1c = decode(1)
dn, dnc = decode(a.decode_batch)
print(json.dumps({'torch': torch.__version__, 'threads': a.threads, 'decodeBatch': a.decode_batch,
                  'trainTokensPerSecond': train, 'flushDenormalTrainTokensPerSecond': flush_train,
                  'flushDenormalTrainTokensPerCpuSecond': flush_train_cpu, 'flushDenormalSpeedup': flush_train_cpu / train_cpu,
                  'gradDenormalShare': denormals, 'decodeTokensPerSecond': d1, 'batchedDecodeTokensPerSecond': dn,
                  'trainTokensPerCpuSecond': train_cpu, 'decodeTokensPerCpuSecond': d1c, 'batchedDecodeTokensPerCpuSecond': dnc}))
