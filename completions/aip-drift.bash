# bash completion for aip-drift(1); the front's completion hands `aip drift ...` to _aip_drift.
_aip_drift() {
  local cur prev cmd
  cur=${COMP_WORDS[COMP_CWORD]}
  prev=${COMP_WORDS[COMP_CWORD-1]}
  cmd=${COMP_WORDS[1]}
  if [[ $COMP_CWORD -eq 1 ]]; then
    mapfile -t COMPREPLY < <(compgen -W "detect stream --help --version" -- "$cur")
    return
  fi
  case $prev in
    -m|--method)
      if [[ $cmd == stream ]]; then
        mapfile -t COMPREPLY < <(compgen -W "page-hinkley cusum gma ddm eddm hddm-a hddm-w stepd adwin kswin ks" -- "$cur")
      else
        mapfile -t COMPREPLY < <(compgen -W "ks cvm anderson kuiper bws mannwhitney welch chi2 wasserstein energy hellinger psi js kl hi bhattacharyya mmd" -- "$cur")
      fi
      return ;;
    --correction) mapfile -t COMPREPLY < <(compgen -W "none bonferroni holm bh" -- "$cur"); return ;;
    --kernel) mapfile -t COMPREPLY < <(compgen -W "rbf laplacian linear" -- "$cur"); return ;;
    --binning) mapfile -t COMPREPLY < <(compgen -W "equal-width quantile" -- "$cur"); return ;;
    --nan) mapfile -t COMPREPLY < <(compgen -W "error drop" -- "$cur"); return ;;
    --input-format) mapfile -t COMPREPLY < <(compgen -W "auto csv jsonl npy" -- "$cur"); return ;;
    -f|--format) mapfile -t COMPREPLY < <(compgen -W "jsonl table csv json html" -- "$cur"); return ;;
    --param) mapfile -t COMPREPLY < <(compgen -W "delta= lambda= alpha= min_instances= warning= drift= beta= level= min_errors= alpha_d= alpha_w= two_sided= window= clock= m= min_window_size= stat_size= seed=" -- "$cur"); compopt -o nospace; return ;;
    -r|--reference|-c|--current|-o|--output|--state) mapfile -t COMPREPLY < <(compgen -f -- "$cur"); return ;;
    --threshold|--max-drift-share|--permutations|--seed|--sigma|--bins|--features|--array-field|--field) return ;;
  esac
  local opts
  if [[ $cmd == stream ]]; then
    opts="--method --param --reference --field --state --no-reset --output --help"
  else
    opts="--reference --current --method --features --threshold --correction --max-drift-share --permutations --seed --sigma --kernel --bins --binning --raw --nan --input-format --array-field --output --format --help"
  fi
  if [[ $cur == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
  else
    mapfile -t COMPREPLY < <(compgen -f -- "$cur")
  fi
}
complete -F _aip_drift aip-drift
