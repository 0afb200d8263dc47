# aip submit and aip dispatch: jobs queued, run as local processes by policy, their events,
# a refusal by a site limit (exit 1), and the sbatch script the Slurm backend would submit.
if [ -x "$bin/aip-submit" ] && [ -x "$bin/aip-dispatch" ]; then
  export AIP_STATE_DIR="$work/aip-state"
  printf '[limits]\nmax-gpus = 2\n[node]\ncpus = 2\n' > "$work/site.conf"
  step "aip submit --name hello --time 1m -- echo 'hello from aip'   # one aip.job/v1 record"
  aip submit --limits "$work/site.conf" --name hello --time 1m -- echo 'hello from aip'
  step "aip submit --enqueue ...   # three jobs into the local queue"
  aip submit --limits "$work/site.conf" --enqueue --name ok --time 1m -- sh -c 'echo done'
  aip submit --limits "$work/site.conf" --enqueue --name fails --time 1m -- sh -c 'exit 3'
  aip submit --limits "$work/site.conf" --enqueue --name too-slow --time 1s -- sleep 10
  step "aip submit --gpus 4 -- python train.py   # refused by a site limit"
  set +e; aip submit --limits "$work/site.conf" --gpus 4 -- python train.py; rc=$?; set -e
  echo "(exit $rc)"
  step "aip dispatch run --until-idle --kill-grace 1s   # aip.event/v1 as they happen"
  aip dispatch run --limits "$work/site.conf" --until-idle --interval 0.2 --kill-grace 1s
  step "aip dispatch status --all -f table"
  aip dispatch status --all -f table
  step "aip submit --gpus 1 --queue gpu --project uc3 -- python train.py --lr 0.1 | aip dispatch render --backend slurm"
  aip submit --gpus 1 --queue gpu --project uc3 --time 6h -- python train.py --lr 0.1 | aip dispatch render --backend slurm
  unset AIP_STATE_DIR
fi
