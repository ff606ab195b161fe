package main

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/callwire/callwire/functions/internal/lambdatest"
)

// clientVariants measures what the SDK's DynamoDB and EventBridge clients
// cost a cold start against functions/internal/awsjson doing the same work:
// two otherwise identical bootstraps (functions/bench/variants), alternated
// with hello-world, a fresh emulator and fresh loopback AWS per sample, each
// first invoke reading one item and putting one event.
func (b *bench) clientVariants(ctx context.Context, demo *lambdatest.Demo) error {
	names := []string{"hello-world", "sdkclients", "awsjsonclients"}
	paths := map[string]string{"hello-world": b.bootstraps["hello-world"]}
	for _, n := range names[1:] {
		p, err := lambdatest.BuildBootstrap(ctx, b.root, "./functions/bench/variants/"+n, filepath.Join(b.work, n))
		if err != nil {
			return err
		}
		paths[n] = p
	}
	fn := function{event: func() ([]byte, error) { return []byte(`{}`), nil }, check: func(res *lambdatest.Result) error {
		if res.Err != nil {
			return fmt.Errorf("function error %v", res.Err)
		}
		return nil
	}}
	inits, walls := map[string][]time.Duration{}, map[string][]time.Duration{}
	for round := range b.opts.samples {
		for k := range names {
			n := names[(k+round)%len(names)]
			s, err := b.coldRetry(ctx, demo, paths[n], fn)
			if err != nil {
				return fmt.Errorf("%s sample %d: %w", n, round+1, err)
			}
			inits[n], walls[n] = append(inits[n], s.init), append(walls[n], s.wall)
		}
	}
	const sec = "1b clients"
	how := fmt.Sprintf("functions/bench/variants: boot.AWS + DynamoDB and EventBridge clients, invoke 1 = GetItem + PutEvents on loopback; n=%d each, alternated with hello-world, fresh RIE per sample", b.opts.samples)
	for _, n := range names[1:] {
		b.add(sec, "init "+n, fmt.Sprintf("%s; %+.1f ms over hello-world", distMs(inits[n]), ms(median(inits[n])-median(inits["hello-world"]))), how, "", "")
		b.add(sec, "start→first response "+n, fmt.Sprintf("%s; %+.1f ms over hello-world", distMs(walls[n]), ms(median(walls[n])-median(walls["hello-world"]))), "client wall, same samples", "", "")
	}
	b.add(sec, "awsjson gain", fmt.Sprintf("init %.1f ms, start→first response %.1f ms",
		ms(median(inits["sdkclients"])-median(inits["awsjsonclients"])), ms(median(walls["sdkclients"])-median(walls["awsjsonclients"]))),
		"median(sdkclients) - median(awsjsonclients)", "", "")
	return nil
}
