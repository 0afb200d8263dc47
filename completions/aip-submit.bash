# bash completion for aip-submit(1); the front's completion hands `aip submit ...` to _aip_submit.
_aip_submit() {
  local cur prev
  cur=${COMP_WORDS[COMP_CWORD]}
  prev=${COMP_WORDS[COMP_CWORD-1]}
  local i
  for ((i = 1; i < COMP_CWORD; i++)); do
    if [[ ${COMP_WORDS[i]} == -- ]]; then
      mapfile -t COMPREPLY < <(compgen -c -- "$cur")
      return
    fi
  done
  case $prev in
    --priority-class) mapfile -t COMPREPLY < <(compgen -W "interactive batch opportunistic" -- "$cur"); return ;;
    --file|--env-file|--limits|-o|--output) mapfile -t COMPREPLY < <(compgen -f -- "$cur"); return ;;
    --workdir|--state-dir) mapfile -t COMPREPLY < <(compgen -d -- "$cur"); return ;;
    --name|--image|--cpus|--mem|--gpus|--gpu-model|--mig|--disk|--time|--queue|--project|--vo|--site|--env|--mount|--label|--keep-env) return ;;
  esac
  mapfile -t COMPREPLY < <(compgen -W "--name --image --cpus --mem --gpus --gpu-model --mig --disk --time --queue --priority-class --requeue --project --vo --site --env --env-file --mount --label --workdir --file --from-session --keep-env --enqueue --state-dir --limits --output --help --version --" -- "$cur")
}
complete -F _aip_submit aip-submit
