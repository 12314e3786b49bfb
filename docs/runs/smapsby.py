import sys,collections,re
# usage: smapsby.py PID  -> Rss/Pss MB by mapping name (top 25) and totals
pid=sys.argv[1]
rss=collections.Counter(); pss=collections.Counter(); anon=collections.Counter()
name=None
for line in open(f'/proc/{pid}/smaps'):
    if re.match(r'^[0-9a-f]+-[0-9a-f]+ ',line):
        parts=line.split(None,5)
        name=parts[5].strip() if len(parts)>5 else '[anon]'
        if '/dotnet/shared/' in name or name.endswith('.dll'): pass
        continue
    k,_,v=line.partition(':')
    if k=='Rss': rss[name]+=int(v.split()[0])
    elif k=='Pss': pss[name]+=int(v.split()[0])
    elif k=='Anonymous': anon[name]+=int(v.split()[0])
tot=sum(rss.values())
print(f'total Rss {tot/1024:.1f} MB Pss {sum(pss.values())/1024:.1f} MB Anonymous {sum(anon.values())/1024:.1f} MB')
groups=collections.Counter(); gp=collections.Counter()
for n,v in rss.items():
    g='dll' if n.endswith('.dll') else ('so' if '.so' in n else n)
    groups[g]+=v; gp[g]+=pss[n]
for g,v in groups.most_common(12): print(f'  group {g[:70]:70s} Rss {v/1024:7.1f}  Pss {gp[g]/1024:7.1f}')
for n,v in rss.most_common(int(sys.argv[2]) if len(sys.argv)>2 else 0): print(f'  {n[-70:]:70s} Rss {v/1024:7.1f}  Pss {pss[n]/1024:7.1f}')
