package anonymize

import (
	"strings"
	"testing"
)

// personSamples is a labelled corpus for the detectors of people the
// registry does not know: each sentence with the names it holds. attacker
// marks sentences whose proper nouns are attacker handles, malware, actor
// or tool names, which must never be taken for people.
var personSamples = []struct {
	text     string
	names    []string
	attacker bool
}{
	{text: "担当の田中が現地で対応した。", names: []string{"田中"}},
	{text: "田中さんから連絡があった。", names: []string{"田中"}},
	{text: "中村部長が記者会見を行った。", names: []string{"中村"}},
	{text: "伊藤氏によると被害は限定的。", names: []string{"伊藤"}},
	{text: "小林健一が報告書を作成した。", names: []string{"小林健一"}},
	{text: "木村様へ再発防止策を送付。", names: []string{"木村"}},
	{text: "保守担当の山本さんが再起動した。", names: []string{"山本"}},
	{text: "佐々木課長の指示で切り替えた。", names: []string{"佐々木"}},
	{text: "運用は吉田が担当した。", names: []string{"吉田"}},
	{text: "加藤美咲さんが一次対応を行った。", names: []string{"加藤美咲"}},
	{text: "松本主任が手順書を更新した。", names: []string{"松本"}},
	{text: "井上様より問い合わせがあった。", names: []string{"井上"}},
	{text: "報告者は清水。", names: []string{"清水"}},
	{text: "山口氏と林氏が立ち会った。", names: []string{"山口", "林"}},
	{text: "斎藤さん、森さんが夜間対応。", names: []string{"斎藤", "森"}},
	{text: "Mr. John Smith confirmed the outage.", names: []string{"John Smith"}},
	{text: "Ms. Tanaka called the NOC.", names: []string{"Tanaka"}},
	{text: "engineer Robert Brown restarted the router.", names: []string{"Robert Brown"}},
	{text: "Contact: Emily Davis for details.", names: []string{"Emily Davis"}},
	{text: "The report was written by Dr. Sarah Wilson.", names: []string{"Sarah Wilson"}},
	{text: "Kenta Mori (NOC engineer) joined the call.", names: []string{"Kenta Mori"}},
	{text: "Suzuki-san handled the escalation.", names: []string{"Suzuki"}},
	{text: "operator Mike Chen saw the spike.", names: []string{"Mike Chen"}},
	{text: "Our analyst Laura Kim found the webshell.", names: []string{"Laura Kim"}},
	{text: "We thank Mr. Ito for the quick fix.", names: []string{"Ito"}},
	{text: "マルウェア「エモテット」の感染を確認。", attacker: true},
	{text: "攻撃者グループ「ラザルス」による攻撃。", attacker: true},
	{text: "ランサムウェアLockBitによる暗号化。", attacker: true},
	{text: "攻撃者「黒猫」がダークウェブで販売。", attacker: true},
	{text: "攻撃者はTelegramのチャンネル「Shinobi」で告知。", attacker: true},
	{text: "攻撃グループ「APT10」（別名 Stone Panda）の手口。", attacker: true},
	{text: "真田丸という名のマルウェアを検知。", attacker: true},
	{text: "Threat actor Scattered Spider targeted help desks.", attacker: true},
	{text: "Emotet and QakBot were observed.", attacker: true},
	{text: "APT41 used Cobalt Strike.", attacker: true},
	{text: "The handle DarkMatter posted the dump.", attacker: true},
	{text: "Lazarus Group exploited CVE-2024-3400.", attacker: true},
	{text: "Sandworm Team attacked the grid.", attacker: true},
	{text: "Volt Typhoon used living-off-the-land techniques.", attacker: true},
	{text: "engineer accounts were targeted by Cobalt Strike.", attacker: true},
	{text: "the actor Fancy Bear reused the loader.", attacker: true},
	{text: "東京都千代田区で停電が発生。"},
	{text: "大和地区の基地局が停止。"},
	{text: "明日香村の回線で障害。"},
	{text: "本田技研の工場に影響。"},
	{text: "平成時代の設備を更新。"},
	{text: "富士山周辺で通信障害。"},
	{text: "台風10号の影響で基地局が停止。"},
	{text: "北斗のサーバで異常を検知。"},
	{text: "伊達市の局舎が浸水。"},
	{text: "The manager Console was exposed."},
	{text: "Operator Guide version 2 was published."},
	{text: "Head Office Tokyo was evacuated."},
	{text: "Contact Microsoft Support for the patch."},
}

// TestPersonPrecision measures the detectors of unregistered people on the
// labelled corpus: precision must stay at or above 0.9, and no attacker
// handle, malware, actor or tool name may be taken for a person.
func TestPersonPrecision(t *testing.T) {
	a, err := NewAnonymizer([]Party{{ID: "nobody"}}, Options{PseudonymKey: testKey})
	if err != nil {
		t.Fatal(err)
	}
	s := a.getScrubber()
	defer a.putScrubber(s)
	tp, fp, found, total := 0, 0, 0, 0
	for _, c := range personSamples {
		nt, spans := s.detect(c.text, modeScrub)
		var got []string
		for _, sp := range spans {
			if sp.kind == KindPerson {
				a0, z0 := nt.srcSpan(sp.a, sp.z)
				got = append(got, c.text[a0:z0])
			}
		}
		for _, g := range got {
			hit := false
			for _, n := range c.names {
				if strings.Contains(g, n) || strings.Contains(n, g) {
					hit = true
				}
			}
			if hit {
				tp++
			} else {
				fp++
				t.Logf("false positive %q in %q", g, c.text)
				if c.attacker {
					t.Errorf("attacker data %q in %q taken for a person", g, c.text)
				}
			}
		}
		for _, n := range c.names {
			total++
			covered := false
			for _, g := range got {
				if strings.Contains(g, n) || strings.Contains(n, g) {
					covered = true
				}
			}
			if covered {
				found++
			} else {
				t.Logf("missed %q in %q", n, c.text)
			}
		}
	}
	precision := float64(tp) / float64(max(1, tp+fp))
	recall := float64(found) / float64(max(1, total))
	t.Logf("unregistered people: %d sentences, %d names; precision %.3f (%d/%d), recall %.3f (%d/%d)",
		len(personSamples), total, precision, tp, tp+fp, recall, found, total)
	if precision < 0.9 {
		t.Errorf("precision %.3f < 0.9", precision)
	}
	if recall < 0.7 {
		t.Errorf("recall %.3f < 0.7", recall)
	}
}
