// Istio's own configuration generation (istiod's code, run offline through its test harness): the
// listeners the ingress gateway's pods would receive for the mesh chart's Gateway and EnvoyFilter,
// and whether the gRPC-web filter is in the HTTP connection manager of the HTTPS listener.
package gatewayproof

import (
	"os"
	"strconv"
	"strings"
	"testing"

	listener "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	hcm "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	"istio.io/istio/pilot/pkg/model"
	"istio.io/istio/pilot/pkg/networking/core"
	"istio.io/istio/pkg/config/host"
)

const grpcWeb = "envoy.filters.http.grpc_web"

// GATEWAY_CONFIG: the mesh chart's rendered Gateway and EnvoyFilter (YAML); GATEWAY_PORTS: the
// gateway Service's port:targetPort pairs (443:8443,80:8080); GATEWAY_NAMESPACE; GATEWAY_LABELS
// (istio=ingressgateway). Prints one line per HTTPS listener: "<port> grpc_web <filters...>".
func TestGatewayListeners(t *testing.T) {
	config, err := os.ReadFile(os.Getenv("GATEWAY_CONFIG"))
	if err != nil {
		t.Fatal(err)
	}
	namespace := os.Getenv("GATEWAY_NAMESPACE")
	labels := map[string]string{}
	for _, pair := range strings.Split(os.Getenv("GATEWAY_LABELS"), ",") {
		key, value, _ := strings.Cut(pair, "=")
		labels[key] = value
	}
	cg := core.NewConfigGenTest(t, core.TestOptions{ConfigString: string(config)})
	var targets []model.ServiceTarget
	for _, pair := range strings.Split(os.Getenv("GATEWAY_PORTS"), ",") {
		port, target, _ := strings.Cut(pair, ":")
		number, _ := strconv.Atoi(port)
		targetNumber, _ := strconv.Atoi(target)
		targets = append(targets, model.ServiceTarget{
			Service: &model.Service{Hostname: host.Name("istio-ingressgateway." + namespace + ".svc.cluster.local")},
			Port: model.ServiceInstancePort{
				ServicePort: &model.Port{Port: number},
				TargetPort:  uint32(targetNumber),
			},
		})
	}
	cg.MemRegistry.WantGetProxyServiceTargets = targets
	proxy := cg.SetupProxy(&model.Proxy{
		Type:            model.Router,
		ConfigNamespace: namespace,
		Labels:          labels,
		Metadata:        &model.NodeMetadata{Namespace: namespace, Labels: labels, IstioVersion: "1.28.0"},
	})
	for _, l := range cg.Listeners(proxy) {
		for _, chain := range l.GetFilterChains() {
			if chain.GetTransportSocket() == nil {
				continue // plain HTTP (the redirect to HTTPS)
			}
			t.Logf("listener %d filters %s", l.GetAddress().GetSocketAddress().GetPortValue(), strings.Join(httpFilters(t, chain), " "))
		}
	}
}

func httpFilters(t *testing.T, chain *listener.FilterChain) []string {
	var names []string
	for _, filter := range chain.GetFilters() {
		if filter.GetName() != "envoy.filters.network.http_connection_manager" {
			continue
		}
		manager := &hcm.HttpConnectionManager{}
		if err := filter.GetTypedConfig().UnmarshalTo(manager); err != nil {
			t.Fatal(err)
		}
		for _, http := range manager.GetHttpFilters() {
			names = append(names, http.GetName())
		}
	}
	return names
}
