# docs/performance.md, "What the runtime's executable memory holds" (issue 15, thirty-ninth increment): resident size, mappings and the runtime's loader heaps of
# services 15 s after their stack started. Needs dotnet-dump (dotnet tool install --tool-path /tmp/dtools dotnet-dump --version 10.0.750501).
# usage: memloader.sh CLONE LABEL  -> RSS, smaps groups and loader heaps of intake 15 s after start
cd $1
bash deploy/local-servers.sh > /tmp/env.sh 2>/dev/null; source /tmp/env.sh
source tools/stack.sh
stack_up memld$RANDOM >/dev/null 2>&1 || { echo stack_up failed; exit 1; }
sleep 15
for s in ${SERVICES:-intake}; do
  pid=${STACK_PID[$s]}
  echo "$2 $s rss_mb=$(awk '/VmRSS/{printf "%.1f",$2/1024}' /proc/$pid/status) cpu_s=$(awk '{printf "%.1f",($14+$15)/100}' /proc/$pid/stat) $(python3 docs/runs/smapsby.py $pid 2>/dev/null | head -1)"
  python3 docs/runs/smapsby.py $pid 2>/dev/null | grep -E "doublemapper|group (dll|\[anon\])" | sed "s/^/    /"
  rm -f /tmp/ld-$s.dmp; /tmp/dtools/dotnet-dump collect -p $pid -o /tmp/ld-$s.dmp --type Full >/dev/null 2>&1
  timeout 300 /tmp/dtools/dotnet-dump analyze /tmp/ld-$s.dmp -c "eeheap -loader" -c "exit" 2>&1 | grep -E "^(LowFrequencyHeap|HighFrequencyHeap|FixupPrecodeHeap|Total size)" | sed -E 's/^([A-Za-z ]+:).*\(([0-9]+)\) bytes total.*$/\1 \2/' | awk '{printf "    %s %.1f MB\n", $1" "$2, $NF/1048576}'
  rm -f /tmp/ld-$s.dmp
done
stack_down >/dev/null 2>&1
