// An etcd member for tests: one node, its data in the directory given, serving clients on the
// address given, until SIGTERM or SIGINT.
package main

import (
	"flag"
	"log"
	"net/url"
	"os"
	"os/signal"
	"syscall"

	"go.etcd.io/etcd/server/v3/embed"
)

func main() {
	dataDir := flag.String("data-dir", "", "the member's data directory")
	listen := flag.String("listen-client-urls", "http://127.0.0.1:2379", "the client URL")
	peer := flag.String("listen-peer-urls", "http://127.0.0.1:2380", "the peer URL")
	flag.Parse()
	config := embed.NewConfig()
	config.Dir = *dataDir
	config.LogLevel = "error"
	client, err := url.Parse(*listen)
	if err != nil {
		log.Fatalf("listen-client-urls: %v", err)
	}
	peerURL, err := url.Parse(*peer)
	if err != nil {
		log.Fatalf("listen-peer-urls: %v", err)
	}
	config.ListenClientUrls = []url.URL{*client}
	config.AdvertiseClientUrls = []url.URL{*client}
	config.ListenPeerUrls = []url.URL{*peerURL}
	config.AdvertisePeerUrls = []url.URL{*peerURL}
	config.InitialCluster = config.Name + "=" + peerURL.String()
	server, err := embed.StartEtcd(config)
	if err != nil {
		log.Fatalf("etcd: %v", err)
	}
	defer server.Close()
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	select {
	case <-server.Server.ReadyNotify():
		log.Printf("ready on %s", client)
	case err := <-server.Err():
		log.Fatalf("etcd: %v", err)
	}
	select {
	case <-stop:
	case err := <-server.Err():
		log.Fatalf("etcd: %v", err)
	}
}
