{{/*
One HTTP route of a VirtualService, to one port of one Service, with an explicit timeout. Call with
(dict "name" "match" (list of match maps) "host" "port" "timeout") plus optional "retries"
(attempts, perTryTimeout, retryOn), "corsPolicy" (rendered YAML), "rewrite" (the path that
replaces the matched prefix, what the service serves from) and "responseHeaders" (a map of headers
the gateway sets on the responses: only headers the gateway owns, never one the destination sends).
*/}}
{{- define "platform-lib.httpRoute" -}}
- name: {{ .name }}
  match:
    {{- toYaml .match | nindent 4 }}
  {{- with .rewrite }}
  rewrite:
    uri: {{ . | quote }}
  {{- end }}
  route:
    - destination:
        host: {{ .host }}
        port:
          number: {{ .port }}
  timeout: {{ .timeout }}
  {{- with .retries }}
  retries:
    attempts: {{ .attempts }}
    perTryTimeout: {{ .perTryTimeout }}
    retryOn: {{ .retryOn }}
  {{- end }}
  {{- with .responseHeaders }}
  headers:
    response:
      set:
        {{- toYaml . | nindent 8 }}
  {{- end }}
  {{- with .corsPolicy }}
  corsPolicy:
    {{- . | nindent 4 }}
  {{- end }}
{{- end -}}
