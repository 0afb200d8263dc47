# bash completion for aip-dispatch(1); the front's completion hands `aip dispatch ...` to _aip_dispatch.
_aip_dispatch_ids() {
  local state=${AIP_STATE_DIR:-${XDG_STATE_HOME:-$HOME/.local/state}/aip}
  local f
  for f in "$state"/queue/{new,active,done}/*.json; do
    [[ -e $f ]] && f=${f##*/} && printf '%s\n' "${f%.json}"
  done
}
_aip_dispatch() {
  local cur prev cmd
  cur=${COMP_WORDS[COMP_CWORD]}
  prev=${COMP_WORDS[COMP_CWORD-1]}
  cmd=${COMP_WORDS[1]}
  if [[ $COMP_CWORD -eq 1 ]]; then
    mapfile -t COMPREPLY < <(compgen -W "submit run status watch cancel logs render --help --version" -- "$cur")
    return
  fi
  case $prev in
    -b|--backend) mapfile -t COMPREPLY < <(compgen -W "local slurm slurmrestd kubernetes nomad htcondor" -- "$cur"); return ;;
    -f|--format) mapfile -t COMPREPLY < <(compgen -W "jsonl table csv json" -- "$cur"); return ;;
    --qos) mapfile -t COMPREPLY < <(compgen -W "interactive= batch= opportunistic=" -- "$cur"); compopt -o nospace; return ;;
    --fairshare|--limits|-o|--output) mapfile -t COMPREPLY < <(compgen -f -- "$cur"); return ;;
    --state-dir) mapfile -t COMPREPLY < <(compgen -d -- "$cur"); return ;;
    --interval|--grace|--kill-grace) return ;;
  esac
  local common="--state-dir --help"
  local backend="--backend --qos --kill-grace --limits"
  local opts
  case $cmd in
    run) opts="--once --follow --until-idle --interval --grace --fairshare $backend --output $common" ;;
    submit) opts="--wait $backend --output $common" ;;
    status) opts="--all --format --output $common" ;;
    watch) opts="--no-follow --output $common" ;;
    cancel) opts="$backend $common" ;;
    logs) opts="--err $common" ;;
    render) opts="$backend --output $common" ;;
    *) opts="--wait $backend --output $common" ;;
  esac
  if [[ $cur == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
  elif [[ $cmd == status || $cmd == watch || $cmd == cancel || $cmd == logs ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$(_aip_dispatch_ids)" -- "$cur")
  else
    mapfile -t COMPREPLY < <(compgen -f -- "$cur")
  fi
}
complete -F _aip_dispatch aip-dispatch
