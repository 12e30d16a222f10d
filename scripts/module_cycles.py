#!/usr/bin/env python3
"""No import circles between the modules of a layer (app/src/backend, api, ui,
domain, server/src): reads which module names another (`super::x`,
`crate::backend::x`, `use super::{x, ..}`) and fails on any circle. Run by
scripts/test.sh; `python3 scripts/module_cycles.py [ROOT]`."""
import re, glob, os
import sys; root=os.path.join(sys.argv[1] if len(sys.argv)>1 else os.path.dirname(os.path.abspath(__file__))+'/..', '')
def modname(f, base):
    rel=os.path.relpath(f, root+base)[:-3]
    parts=rel.split('/')
    return parts[0] if parts[0]!='mod' else None
def graph(base, prefix):
    mods=set()
    for f in glob.glob(root+base+'/*.rs')+glob.glob(root+base+'/*/mod.rs'):
        m=os.path.relpath(f, root+base)[:-3].split('/')[0]
        if m not in ('mod','lib','main'): mods.add(m)
    edges=set()
    for f in glob.glob(root+base+'/**/*.rs',recursive=True):
        m=os.path.relpath(f, root+base)[:-3].split('/')[0]
        if m in ('mod','lib','main'): continue
        s=open(f).read()
        s=re.sub(r'//.*','',s)
        depth=os.path.relpath(f, root+base).count('/')
        for t in mods:
            if t==m: continue
            pats=[prefix+t+r'\b']
            if depth==0 or f.endswith('mod.rs'):
                pats.append(r'(?<![\w:])super::'+t+r'\b')
                pats.append(r'use super::\{[^}]*\b'+t+r'\b')
            else:
                pats.append(r'super::super::'+t+r'\b')
            if any(re.search(p,s) for p in pats): edges.add((m,t))
    return mods, edges
bad = False
for base,prefix in [('app/src/backend',r'crate::backend::'),('app/src/api',r'crate::api::'),('app/src/ui',r'crate::ui::'),('app/src/domain',r'crate::domain::'),('server/src',r'crate::')]:
    mods,edges=graph(base,prefix)
    cyc=[(a,b) for (a,b) in edges if (b,a) in edges and a<b]
    # longer cycles via DFS
    adj={m:set() for m in mods}
    for a,b in edges: adj.setdefault(a,set()).add(b)
    found=set()
    def dfs(start,node,path,seen):
        for n in adj.get(node,()):
            if n==start and len(path)>1: found.add(tuple(sorted(path)))
            elif n not in seen and n>start: dfs(start,n,path+[n],seen|{n})
    for m in mods: dfs(m,m,[m],{m})
    print(f'{base}: {len(mods)} modules, {len(edges)} uses between them, circles: {sorted(found) or "none"}')
    bad |= bool(found)

sys.exit(1 if bad else 0)
