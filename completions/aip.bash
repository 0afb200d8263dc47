# bash completion for aip(1), the front of the aip tools.      -*- shell-script -*-
#
# Completes the front's options (--help, --version, --exec-path), `help`, and tool names:
# every executable aip-* in the folder of the aip executable (`aip --exec-path`) and on
# PATH, or, when none is found, the seven tools that ship with aip.
#
# After the tool name, completion is handed to the tool's own completion. Convention: the
# completion of aip-TOOL defines a function named _aip_TOOL, with every '-' in TOOL turned
# into '_' (_aip_drift, _aip_sqa_check), and registers it for the command aip-TOOL itself:
#     complete -F _aip_drift aip-drift
# Called through `aip TOOL`, the function sees the words as if aip-TOOL had been typed:
# COMP_WORDS[0] is aip-TOOL, COMP_CWORD and COMP_LINE/COMP_POINT are shifted to match, and
# it gets the usual arguments (command, current word, previous word). If no such function
# is loaded, bash-completion is asked to load the completion file of aip-TOOL; if there is
# still none, file names are completed. The front's own helpers start with a double
# underscore (__aip_...) so that they never collide with a tool's _aip_TOOL.

__aip_tools() {
  local dir file name exec_path
  local -A seen=()
  local -a names=() dirs=()
  exec_path=$(command aip --exec-path 2>/dev/null)
  [[ -n $exec_path ]] && dirs+=("$exec_path")
  local IFS=:
  # shellcheck disable=SC2206 # PATH is split on ':' on purpose.
  dirs+=($PATH)
  for dir in "${dirs[@]}"; do
    [[ -n $dir && -d $dir ]] || continue
    for file in "$dir"/aip-*; do
      [[ -f $file && -x $file ]] || continue
      name=${file##*/aip-}
      [[ -n $name && -z ${seen[$name]} ]] || continue
      seen[$name]=1
      names+=("$name")
    done
  done
  ((${#names[@]} > 0)) || names=(submit dispatch meter account drift catalog sqa-check)
  printf '%s\n' "${names[@]}"
}

_aip() {
  local cur=${COMP_WORDS[COMP_CWORD]}
  COMPREPLY=()

  if ((COMP_CWORD == 1)); then
    if [[ $cur == -* ]]; then
      mapfile -t COMPREPLY < <(compgen -W '--help --version --exec-path' -- "$cur")
    else
      mapfile -t COMPREPLY < <(compgen -W "help $(__aip_tools)" -- "$cur")
    fi
    return 0
  fi

  local tool=${COMP_WORDS[1]}
  case $tool in
  -*) return 0 ;; # --help, --version and --exec-path take nothing after them
  help)
    ((COMP_CWORD == 2)) && mapfile -t COMPREPLY < <(compgen -W "$(__aip_tools)" -- "$cur")
    return 0
    ;;
  esac

  local func=_aip_${tool//-/_} spec
  if ! declare -F "$func" >/dev/null && declare -F __load_completion >/dev/null; then
    __load_completion "aip-$tool" 2>/dev/null
  fi
  if ! declare -F "$func" >/dev/null; then
    # A completion registered for aip-TOOL under another name also serves.
    spec=$(complete -p "aip-$tool" 2>/dev/null)
    if [[ $spec =~ -F\ ([^ ]+) ]]; then
      func=${BASH_REMATCH[1]}
    else
      compopt -o default 2>/dev/null # file names
      return 0
    fi
  fi

  # Present the words as the tool's completion expects them for aip-TOOL. The values are
  # computed first, then shadowed with locals, which the called function sees.
  local -a words=("aip-$tool" "${COMP_WORDS[@]:2}")
  local cword=$((COMP_CWORD - 1)) line="aip-$tool${COMP_LINE#*"$tool"}"
  local point=$((COMP_POINT - ${#COMP_LINE} + ${#line}))
  local -a COMP_WORDS=("${words[@]}")
  local COMP_CWORD=$cword COMP_LINE=$line COMP_POINT=$point
  "$func" "aip-$tool" "$cur" "${words[cword - 1]}"
}

complete -F _aip aip
