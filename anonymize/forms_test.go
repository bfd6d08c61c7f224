package anonymize

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode"

	"github.com/mtibben/confusables"
	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"

	"github.com/kakehashi-hub/kakehashi/stix"
)

// testSkeleton is the test's own skeleton of a text, written independently
// of the package: NFKC, full case folding, hiragana as katakana, and only
// letters and digits kept (the long-vowel mark dropped).
func testSkeleton(s string) string {
	s = norm.NFD.String(confusables.Skeleton(cases.Fold().String(norm.NFKC.String(s))))
	var sb strings.Builder
	for _, r := range s {
		switch {
		case r == 'ー', unicode.In(r, unicode.Mn, unicode.Me), r == '\u3164', r == '\u115f', r == '\u1160', r == '\uffa0':
		case r >= 'ぁ' && r <= 'ゖ':
			sb.WriteRune(r + 0x60)
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			sb.WriteRune(r)
		}
	}
	return sb.String()
}

// formCase is one way people write something the copy must not carry, or
// attacker data it must keep. Each row names its form.
type formCase struct {
	name      string
	form      string   // written into the free text of an incident and a CLEAR indicator
	submitter string   // "" means carrier-a
	secrets   []string // their skeletons must be gone from every string of the copy
	keep      []string // must survive verbatim in the copy
	withheld  bool     // the scrubber does not catch this form; the leak check must withhold the copy
}

// formCases: at least 150 rows, Japanese and English, one per form of
// issue #11 (names across separators, run-together and partial names,
// readings, staff names with honorifics, unknown people, obfuscated contact
// data, IP notations, postal addresses) and the attacker data that must
// survive.
var formCases = []formCase{
	// Registry names across separators.
	{name: "name hyphen", form: "Sakura-Telecom", secrets: []string{"Sakura Telecom"}},
	{name: "name underscore", form: "Sakura_Telecom", secrets: []string{"Sakura Telecom"}},
	{name: "name dot", form: "Sakura.Telecom", secrets: []string{"Sakura Telecom"}},
	{name: "name slash", form: "Sakura/Telecom", secrets: []string{"Sakura Telecom"}},
	{name: "name upper case", form: "SAKURA TELECOM", secrets: []string{"Sakura Telecom"}},
	{name: "name two spaces", form: "Sakura  Telecom", secrets: []string{"Sakura Telecom"}},
	{name: "name no-break space", form: "Sakura\u00a0Telecom", secrets: []string{"Sakura Telecom"}},
	{name: "name zero-width space", form: "Sakura\u200bTelecom", secrets: []string{"Sakura Telecom"}},
	{name: "name full-width hyphen", form: "Ｓａｋｕｒａ－Ｔｅｌｅｃｏｍ", secrets: []string{"Sakura Telecom"}},
	{name: "name full-width underscore", form: "Ｓａｋｕｒａ＿Ｔｅｌｅｃｏｍ", secrets: []string{"Sakura Telecom"}},
	{name: "name full-width slash", form: "Ｓａｋｕｒａ／Ｔｅｌｅｃｏｍ", secrets: []string{"Sakura Telecom"}},
	{name: "name katakana middle dot", form: "Sakura・Telecom", secrets: []string{"Sakura Telecom"}},
	{name: "name Latin middle dot", form: "Sakura·Telecom", secrets: []string{"Sakura Telecom"}},
	{name: "name spaced hyphen", form: "Sakura - Telecom", secrets: []string{"Sakura Telecom"}},
	{name: "name en dash", form: "Sakura–Telecom", secrets: []string{"Sakura Telecom"}},
	{name: "name dotted letters", form: "S.A.K.U.R.A Telecom", secrets: []string{"Sakura Telecom"}},
	{name: "name with Inc.", form: "Sakura Telecom, Inc.", secrets: []string{"Sakura Telecom"}},
	{name: "name with Co., Ltd.", form: "Sakura Telecom Co., Ltd.", secrets: []string{"Sakura Telecom"}},
	{name: "hiragana name with middle dot", form: "さくら・テレコム", secrets: []string{"さくらテレコム"}},
	{name: "hiragana name with space", form: "さくら テレコム", secrets: []string{"さくらテレコム"}},
	{name: "hiragana name with ideographic space", form: "さくら　テレコム", secrets: []string{"さくらテレコム"}},
	{name: "hiragana name with hyphen", form: "さくら-テレコム", secrets: []string{"さくらテレコム"}},
	{name: "name with (株) before", form: "(株)さくらテレコム", secrets: []string{"さくらテレコム"}},
	{name: "name with ㈱ after", form: "さくらテレコム㈱", secrets: []string{"さくらテレコム"}},
	{name: "name with 株式会社 and space", form: "株式会社 さくらテレコム", secrets: []string{"さくらテレコム"}},
	// Run-together and partial names.
	{name: "run-together Core", form: "SakuraTelecomCore", secrets: []string{"Sakura Telecom"}},
	{name: "run-together VPN", form: "SakuraTelecomVPN", secrets: []string{"Sakura Telecom"}},
	{name: "run-together NOC", form: "SakuraTelecomNOC", secrets: []string{"Sakura Telecom"}},
	{name: "run-together lower case", form: "sakuratelecomvpn01", secrets: []string{"Sakura Telecom"}},
	{name: "run-together upper case", form: "SAKURATELECOMCORE", secrets: []string{"Sakura Telecom"}},
	{name: "run-together prefix", form: "mySakuraTelecom", secrets: []string{"Sakura Telecom"}},
	{name: "run-together hyphenated", form: "sakura-telecom-vpn", secrets: []string{"Sakura Telecom"}},
	{name: "alias with digits", form: "SKT01", secrets: []string{"SKT"}},
	{name: "alias with hyphen", form: "SKT-NOC", secrets: []string{"SKT"}},
	{name: "alias after digits", form: "noc01SKT", secrets: []string{"SKT"}},
	{name: "alias camel case", form: "SKTCore", secrets: []string{"SKT"}},
	{name: "alias underscore", form: "skt_core", secrets: []string{"SKT"}},
	{name: "alias full width", form: "ＳＫＴ０１", secrets: []string{"SKT"}},
	{name: "peer run-together", form: "KaedeNetworksNOC", secrets: []string{"Kaede Networks"}},
	{name: "peer underscore", form: "Tsubaki_Mobile", secrets: []string{"Tsubaki Mobile"}},
	{name: "peer run-together Core", form: "TsubakiMobileCore", secrets: []string{"Tsubaki Mobile"}},
	{name: "peer hyphen", form: "Kaede-Networks", secrets: []string{"Kaede Networks"}},
	// Host names.
	{name: "host under the name label", form: "noc01.sakura-telecom", secrets: []string{"sakura-telecom"}},
	{name: "host under the domain", form: "noc01.sakura-telecom.example", secrets: []string{"sakura-telecom"}},
	{name: "host under the second domain", form: "vpn.sakura-tel.example", secrets: []string{"sakura-tel"}},
	{name: "host in another zone", form: "gw01.sakuratelecom.net", secrets: []string{"sakuratelecom"}},
	{name: "host with name prefix", form: "SakuraTelecom-GW01", secrets: []string{"Sakura Telecom"}},
	{name: "host upper case", form: "NOC01.SAKURA-TELECOM.EXAMPLE", secrets: []string{"sakura-telecom"}},
	{name: "URL with the host", form: "https://portal.sakura-telecom.example/login", secrets: []string{"sakura-telecom"}},
	{name: "defanged URL", form: "hxxps://vpn.sakura-telecom[.]example/", secrets: []string{"sakura-telecom"}},
	// Readings the registry does not list.
	{name: "katakana reading", form: "サクラテレコム", secrets: []string{"さくらテレコム"}},
	{name: "half-width katakana", form: "ｻｸﾗﾃﾚｺﾑ", secrets: []string{"さくらテレコム"}},
	{name: "half-width katakana with dot", form: "ｻｸﾗ･ﾃﾚｺﾑ", secrets: []string{"さくらテレコム"}},
	{name: "all hiragana", form: "さくらてれこむ", secrets: []string{"さくらテレコム"}},
	{name: "katakana with middle dot", form: "サクラ・テレコム", secrets: []string{"さくらテレコム"}},
	{name: "romaji reading", form: "Sakura Terekomu", secrets: []string{"sakuraterekomu"}},
	{name: "romaji reading run together", form: "sakuraterekomu", secrets: []string{"sakuraterekomu"}},
	{name: "peer hiragana reading", form: "かえでネットワークス", secrets: []string{"カエデネットワークス"}},
	{name: "peer half-width reading", form: "ｶｴﾃﾞﾈｯﾄﾜｰｸｽ", secrets: []string{"カエデネットワークス"}},
	{name: "peer hiragana of katakana alias", form: "つばきもばいる", secrets: []string{"ツバキモバイル"}},
	{name: "peer half-width katakana", form: "ﾂﾊﾞｷﾓﾊﾞｲﾙ", secrets: []string{"ツバキモバイル"}},
	{name: "peer kanji alias", form: "椿モバイル", secrets: []string{"椿モバイル"}},
	{name: "peer romaji of kana", form: "Tsubaki Mobairu", secrets: []string{"tsubakimobairu"}},
	{name: "peer kanji alias with hiragana", form: "椿もばいる", secrets: []string{"椿モバイル"}},
	// Staff of the registry: surnames and given names alone, with honorifics, in every script.
	{name: "surname alone", form: "山田", secrets: []string{"山田"}},
	{name: "surname with さん", form: "山田さん", secrets: []string{"山田"}},
	{name: "surname with 様", form: "山田様", secrets: []string{"山田"}},
	{name: "surname with 氏", form: "山田氏", secrets: []string{"山田"}},
	{name: "full name with space", form: "山田 太郎", secrets: []string{"山田", "太郎"}},
	{name: "full name without space", form: "山田太郎", secrets: []string{"山田", "太郎"}},
	{name: "given name with さん", form: "太郎さん", secrets: []string{"太郎"}},
	{name: "surname katakana", form: "ヤマダ", secrets: []string{"ヤマダ"}},
	{name: "surname hiragana", form: "やまださん", secrets: []string{"ヤマダ"}},
	{name: "surname half-width", form: "ﾔﾏﾀﾞ", secrets: []string{"ヤマダ"}},
	{name: "full name katakana", form: "ヤマダ タロウ", secrets: []string{"ヤマダ", "タロウ"}},
	{name: "surname romaji", form: "Yamada", secrets: []string{"yamada"}},
	{name: "surname with Mr.", form: "Mr. Yamada", secrets: []string{"yamada"}},
	{name: "surname with -san", form: "Yamada-san", secrets: []string{"yamada"}},
	{name: "romaji given name first", form: "Taro Yamada", secrets: []string{"yamada", "taro"}},
	{name: "romaji surname in capitals", form: "YAMADA Taro", secrets: []string{"yamada", "taro"}},
	{name: "romaji long vowel spelled", form: "Yamada Tarou", secrets: []string{"yamada", "tarou"}},
	{name: "romaji in a login", form: "taro.yamada", secrets: []string{"yamada", "taro"}},
	{name: "romaji initial and surname", form: "t.yamada", secrets: []string{"yamada"}},
	{name: "romaji surname run together", form: "YamadaT", secrets: []string{"yamada"}},
	{name: "English contact surname with Ms.", form: "Ms. Suzuki", secrets: []string{"suzuki"}},
	{name: "English contact given name", form: "Hanako", secrets: []string{"hanako"}},
	{name: "English contact reversed", form: "Suzuki Hanako", secrets: []string{"suzuki", "hanako"}},
	{name: "English contact in katakana", form: "スズキ ハナコ", secrets: []string{"スズキ", "ハナコ"}},
	{name: "English contact given name hiragana", form: "はなこさん", secrets: []string{"ハナコ"}},
	{name: "English contact in kanji", form: "鈴木花子", secrets: []string{"鈴木", "花子"}},
	{name: "peer staff surname", form: "佐藤", secrets: []string{"佐藤"}},
	{name: "peer staff with 様", form: "佐藤花子様", secrets: []string{"佐藤", "花子"}},
	{name: "peer staff katakana", form: "サトウ", secrets: []string{"サトウ"}},
	{name: "peer staff romaji", form: "Sato", secrets: []string{"sato"}},
	{name: "peer staff romaji with h", form: "Satoh", secrets: []string{"satoh"}},
	{name: "peer staff romaji with Ms.", form: "Ms. Sato", secrets: []string{"sato"}},
	{name: "peer English staff surname", form: "Watanabe", secrets: []string{"watanabe"}},
	{name: "peer English staff given name", form: "Kenji", secrets: []string{"kenji"}},
	{name: "peer English staff in katakana", form: "ワタナベ ケンジ", secrets: []string{"ワタナベ", "ケンジ"}},
	{name: "third carrier staff full name", form: "鈴木 一郎", secrets: []string{"鈴木", "一郎"}},
	{name: "third carrier given name", form: "一郎", secrets: []string{"一郎"}},
	{name: "third carrier given name katakana", form: "イチロウ", secrets: []string{"イチロウ"}},
	{name: "third carrier romaji", form: "Ichiro Suzuki", secrets: []string{"ichiro", "suzuki"}},
	{name: "third carrier romaji long vowel", form: "Suzuki Ichirou", secrets: []string{"ichirou", "suzuki"}},
	{name: "ISAC staff surname", form: "高橋", secrets: []string{"高橋"}},
	{name: "ISAC staff full name", form: "高橋美咲", secrets: []string{"高橋", "美咲"}},
	{name: "ISAC staff romaji given name", form: "Misaki", secrets: []string{"misaki"}},
	// People the registry does not know.
	{name: "unknown surname after 担当の", form: "担当の田中が対応", secrets: []string{"田中"}},
	{name: "unknown surname with さん", form: "田中さん", secrets: []string{"田中"}},
	{name: "unknown surname with 部長", form: "中村部長", secrets: []string{"中村"}},
	{name: "unknown surname with 氏", form: "伊藤氏", secrets: []string{"伊藤"}},
	{name: "unknown full name", form: "小林健一", secrets: []string{"小林", "健一"}},
	{name: "unknown surname with 様", form: "木村様", secrets: []string{"木村"}},
	{name: "unknown English name with Mr.", form: "Mr. John Smith", secrets: []string{"John Smith"}},
	{name: "unknown English name with Ms.", form: "Ms. Jane Doe", secrets: []string{"Jane Doe"}},
	{name: "unknown English name with Dr.", form: "Dr. Alice Brown", secrets: []string{"Alice Brown"}},
	{name: "unknown English name after role", form: "engineer John Smith", secrets: []string{"John Smith"}},
	{name: "unknown English name before role", form: "John Smith (NOC manager)", secrets: []string{"John Smith"}},
	{name: "unknown English name after contact", form: "contact: Mary Johnson", secrets: []string{"Mary Johnson"}},
	{name: "unknown English name with -san", form: "Tanaka-san", secrets: []string{"tanaka"}},
	{name: "unknown English name after operator", form: "operator Bob Lee", secrets: []string{"Bob Lee"}},
	// Obfuscated e-mail addresses and domains.
	{name: "email [at]", form: "yamada[at]sakura-telecom.example", secrets: []string{"yamada", "sakura-telecom"}},
	{name: "email (at)", form: "yamada(at)sakura-telecom.example", secrets: []string{"yamada", "sakura-telecom"}},
	{name: "email {at} spaced", form: "yamada {at} sakura-telecom.example", secrets: []string{"yamada", "sakura-telecom"}},
	{name: "email at and dot words", form: "yamada at sakura-telecom dot example", secrets: []string{"yamada", "sakura-telecom"}},
	{name: "email full-width at", form: "yamada＠sakura-telecom.example", secrets: []string{"yamada", "sakura-telecom"}},
	{name: "email (dot)", form: "yamada@sakura-telecom(dot)example", secrets: []string{"yamada", "sakura-telecom"}},
	{name: "email [dot]", form: "yamada@sakura-telecom[dot]example", secrets: []string{"yamada", "sakura-telecom"}},
	{name: "email ideographic full stop", form: "yamada@sakura-telecom。example", secrets: []string{"yamada", "sakura-telecom"}},
	{name: "email [at] and [dot] spaced", form: "yamada [at] sakura-telecom [dot] example", secrets: []string{"yamada", "sakura-telecom"}},
	{name: "email upper case", form: "YAMADA@SAKURA-TELECOM.EXAMPLE", secrets: []string{"yamada", "sakura-telecom"}},
	{name: "email full width", form: "ｙａｍａｄａ＠ｓａｋｕｒａ－ｔｅｌｅｃｏｍ．ｅｘａｍｐｌｅ", secrets: []string{"yamada", "sakura-telecom"}},
	{name: "email role local part [at]", form: "noc-team[at]sakura-telecom.example", secrets: []string{"noc-team", "sakura-telecom"}},
	{name: "email role local part (at) (dot)", form: "noc-team(at)sakura-telecom(dot)example", secrets: []string{"noc-team", "sakura-telecom"}},
	{name: "email bare at with registered domain", form: "h.suzuki at sakura-telecom.example", secrets: []string{"suzuki", "sakura-telecom"}},
	{name: "email generic obfuscated", form: "john.doe[at]mail-provider[dot]com", secrets: []string{"john.doe"}},
	{name: "email generic at and dot words", form: "jdoe at mail-provider dot com", secrets: []string{"jdoe"}},
	{name: "email peer (at)", form: "soc(at)ict-isac.example", secrets: []string{"ict-isac"}},
	{name: "email in Japanese text", form: "連絡先はyamada＠sakura-telecom。exampleまで", secrets: []string{"yamada", "sakura-telecom"}},
	{name: "domain (dot)", form: "sakura-telecom(dot)example", secrets: []string{"sakura-telecom"}},
	{name: "domain [.]", form: "sakura-telecom[.]example", secrets: []string{"sakura-telecom"}},
	{name: "domain ideographic full stop", form: "sakura-telecom。example", secrets: []string{"sakura-telecom"}},
	{name: "domain {.}", form: "www.sakura-telecom{.}example", secrets: []string{"sakura-telecom"}},
	{name: "peer domain label", form: "kaede-net dot example", secrets: []string{"kaede-net"}},
	// IP addresses in the submitter's networks or private ranges, in any notation.
	{name: "ipv4 dashes", form: "203-0-113-7", secrets: []string{"203-0-113-7"}},
	{name: "ipv4 dashes in host name", form: "ip-203-0-113-7.pool", secrets: []string{"203-0-113-7"}},
	{name: "ipv4 underscores", form: "203_0_113_7", secrets: []string{"203_0_113_7"}},
	{name: "ipv4 decimal integer", form: "3405803783", secrets: []string{"3405803783"}},
	{name: "ipv4 hex", form: "0xCB007107", secrets: []string{"0xCB007107"}},
	{name: "ipv4 zero padded", form: "203.000.113.007", secrets: []string{"203.000.113.007"}},
	{name: "ipv4 defanged", form: "203[.]0[.]113[.]7", secrets: []string{"203.0.113.7"}},
	{name: "ipv4 full width", form: "２０３．０．１１３．７", secrets: []string{"203.0.113.7"}},
	{name: "ipv4 with prefix length", form: "203.0.113.7/32", secrets: []string{"203.0.113.7"}},
	{name: "ipv4 private dashes", form: "10-20-30-40", secrets: []string{"10-20-30-40"}},
	{name: "ipv4 private zero padded", form: "192.168.001.010", secrets: []string{"192.168.001.010"}},
	{name: "ipv4 private integer", form: "167772161", secrets: []string{"167772161"}},
	{name: "ipv4 private hex", form: "0x0A000001", secrets: []string{"0x0A000001"}},
	{name: "ipv4 peer network", form: "198.51.100.5", secrets: []string{"198.51.100.5"}},
	{name: "ipv4 peer CGNAT network", form: "100.64.20.17", secrets: []string{"100.64.20.17"}},
	{name: "ipv6 upper case", form: "2001:DB8:100::7", secrets: []string{"2001:db8:100::7"}},
	{name: "ipv6 dashes", form: "2001-db8-100--7.rev.example", secrets: []string{"2001-db8-100--7"}},
	{name: "ipv6 unique local", form: "fd12:3456:789a::1", secrets: []string{"fd12:3456:789a::1"}},
	// Postal addresses, Japanese and English.
	{name: "English address with postcode", form: "1-1-1 Marunouchi, Chiyoda-ku, Tokyo 100-0005", secrets: []string{"1-1-1 Marunouchi", "Chiyoda-ku", "100-0005"}},
	{name: "English address Osaka", form: "2-3-4 Umeda, Kita-ku, Osaka 530-0001", secrets: []string{"2-3-4 Umeda", "Kita-ku", "530-0001"}},
	{name: "English address -shi", form: "5-6 Chuo, Sendai-shi, Miyagi 980-0021", secrets: []string{"5-6 Chuo", "Sendai-shi", "980-0021"}},
	{name: "English address chome", form: "Marunouchi 1-chome, Chiyoda-ku, Tokyo", secrets: []string{"Marunouchi 1", "Chiyoda-ku"}},
	{name: "English municipality and prefecture", form: "Chiyoda-ku, Tokyo, Japan", secrets: []string{"Chiyoda-ku"}},
	{name: "English prefecture and postcode", form: "Tokyo 100-0005", secrets: []string{"100-0005"}},
	{name: "English prefecture and seven-digit postcode", form: "Tokyo 1000005", secrets: []string{"1000005"}},
	{name: "Japanese address and seven-digit postcode", form: "東京都千代田区丸の内1-1-1 1000005", secrets: []string{"1000005", "丸の内1-1-1"}},
	{name: "Japanese address block number", form: "東京都千代田区丸の内1-1-1", secrets: []string{"千代田区丸の内1-1-1"}},
	{name: "Japanese address with 〒 and kanji numerals", form: "〒100-0005 東京都千代田区丸の内一丁目1番1号", secrets: []string{"100-0005", "丸の内一丁目"}},
	{name: "Japanese address 丁目番号", form: "大阪市北区梅田3丁目1番1号", secrets: []string{"梅田3丁目"}},
	{name: "Japanese address kanji 丁目 alone", form: "千代田区丸の内一丁目", secrets: []string{"丸の内一丁目"}},
	{name: "Japanese postcode seven digits", form: "〒1000005", secrets: []string{"1000005"}},
	{name: "Japanese postcode beside prefecture", form: "東京都 100-0005", secrets: []string{"100-0005"}},
	{name: "Japanese address 番地", form: "札幌市中央区北1条西2丁目3番地", secrets: []string{"西2丁目3番地"}},
	// The leak check catches what the scrubber does not step over: the copy is withheld.
	{name: "name joined by a comma (withheld)", form: "Sakura,Telecom", withheld: true},
	{name: "name joined by a plus (withheld)", form: "Sakura+Telecom", withheld: true},
	{name: "name joined by brackets (withheld)", form: "Sakura[Telecom]", withheld: true},
	{name: "ipv4 joined by spaces (withheld)", form: "203 0 113 7", withheld: true},
	{name: "ipv4 with dot words (withheld)", form: "203 dot 0 dot 113 dot 7", withheld: true},
	{name: "surname spelled with brackets (withheld)", form: "「ヤ」「マ」「ダ」", withheld: true},
	// Attacker data survives.
	// Look-alike letters, invisible marks and accents (review of #11, P1a).
	{name: "name Cyrillic a", form: "S\u0430kura Telecom", secrets: []string{"Sakura Telecom"}},
	{name: "name upper case Cyrillic A", form: "S\u0410KURA TELECOM", secrets: []string{"Sakura Telecom"}},
	{name: "peer name Cyrillic a", form: "K\u0430ede Networks", secrets: []string{"Kaede Networks"}},
	{name: "name Greek Tau", form: "Sakura \u03a4elecom", secrets: []string{"Sakura Telecom"}},
	{name: "name combining grapheme joiner", form: "Saku\u034fra Telecom", secrets: []string{"Sakura Telecom"}},
	{name: "name variation selector", form: "Sakura\ufe0f Telecom", secrets: []string{"Sakura Telecom"}},
	{name: "name Hangul filler", form: "Sakura\u3164Telecom", secrets: []string{"Sakura Telecom"}},
	{name: "name combining low line", form: "Sa\u0332kura Telecom", secrets: []string{"Sakura Telecom"}},
	{name: "name accented letter", form: "Sak\u00fara Telecom", secrets: []string{"Sakura Telecom"}},
	{name: "peer staff macron with -san", form: "Sat\u014d-san", secrets: []string{"sato"}},
	{name: "peer staff macron with Mr.", form: "Mr. Sat\u014d", secrets: []string{"sato"}},
	{name: "peer staff macron capitals", form: "SAT\u014c", secrets: []string{"sato"}},
	{name: "peer staff macron full name", form: "Hanako Sat\u014d", secrets: []string{"sato", "hanako"}},
	{name: "staff macron given name", form: "Yamada Tar\u014d", secrets: []string{"yamada", "taro"}},
	{name: "peer staff circumflex", form: "Sat\u00f4", secrets: []string{"sato"}},
	{name: "peer staff double vowel oo", form: "Satoo", secrets: []string{"satoo"}},
	{name: "peer English staff accented", form: "Kenji Watanab\u00e9", secrets: []string{"kenji", "watanabe"}},
	// Percent- and entity-encoded text (P1b): withheld by the leak check.
	{name: "name percent-encoded space in URL", form: "https://search.example/?q=Sakura%20Telecom", withheld: true},
	{name: "name percent-encoded hyphen", form: "Sakura%2DTelecom", withheld: true},
	{name: "name HTML no-break space entity", form: "Sakura&nbsp;Telecom", withheld: true},
	{name: "name HTML decimal space entity", form: "Sakura&#32;Telecom", withheld: true},
	{name: "name HTML entity first letter", form: "&#83;akura Telecom", withheld: true},
	{name: "ipv4 HTML entity dots", form: "203&#46;0&#46;113&#46;7", withheld: true},
	// inet_aton notations (P2a): withheld by the leak check.
	{name: "ipv4 private bare hex", form: "0a010203", withheld: true},
	{name: "ipv4 private bare hex 192.168", form: "c0a80001", withheld: true},
	{name: "ipv4 private dotted hex", form: "0xa.0x1.0x2.0x3", withheld: true},
	{name: "ipv4 private shortened", form: "10.1.515", withheld: true},
	{name: "ipv4 dotted 0x hex", form: "0xcb.0x0.0x71.0x7", withheld: true},
	{name: "ipv4 dotted bare hex", form: "cb.0.71.7", withheld: true},
	{name: "ipv4 shortened three parts", form: "203.0.28935", withheld: true},
	{name: "ipv4 shortened two parts", form: "203.28935", withheld: true},
	{name: "keep shortened address outside the network", form: "203.0.29959", keep: []string{"203.0.29959"}},
	{name: "keep version number", form: "OpenSSL 10.1.2 and build 10.1.255", keep: []string{"10.1.2", "10.1.255"}},
	{name: "keep date with a dot", form: "patched 10.07.2026", keep: []string{"10.07.2026"}},
	// Over-scrubbing (P2b): a name before a word that starts like a corporate form.
	{name: "keep word after name starting with inc", form: "Sakura Telecom incident", secrets: []string{"Sakura Telecom"}, keep: []string{" incident confirmed"}},
	{name: "keep word after peer name starting with co", form: "Kaede Networks confirmed", secrets: []string{"Kaede Networks"}, keep: []string{" confirmed confirmed"}},
	{name: "keep hex word in a UUID", form: "request 0a010203-1111-4222-8333-444455556666 failed", keep: []string{"0a010203-1111-4222-8333-444455556666"}},
	{name: "keep short hex in a longer hex run", form: "build c0a80001ff", keep: []string{"c0a80001ff"}},
	{name: "keep defanged attacker ipv4", form: "C2 at 45[.]142[.]212[.]100", keep: []string{"45[.]142[.]212[.]100"}},
	{name: "keep hxxp URL", form: "payload from hxxp://evil-update[.]example[.]net/a.bin", keep: []string{"hxxp://evil-update[.]example[.]net/a.bin"}},
	{name: "keep malware name", form: "Emotet loader", keep: []string{"Emotet"}},
	{name: "keep malware with version", form: "LockBit 3.0 ransomware", keep: []string{"LockBit 3.0"}},
	{name: "keep CVE", form: "exploited CVE-2024-3400", keep: []string{"CVE-2024-3400"}},
	{name: "keep hash", form: "sha256 a3f1c2e4b5d6978812ab34cd56ef7890a1b2c3d4e5f60718293a4b5c6d7e8f90", keep: []string{"a3f1c2e4b5d6978812ab34cd56ef7890a1b2c3d4e5f60718293a4b5c6d7e8f90"}},
	{name: "keep actor APT41", form: "attributed to APT41", keep: []string{"APT41"}},
	{name: "keep actor group", form: "attributed to Lazarus Group", keep: []string{"Lazarus Group"}},
	{name: "keep actor Japanese", form: "攻撃者グループ「ラザルス」による", keep: []string{"ラザルス"}},
	{name: "keep malware Japanese", form: "マルウェア「エモテット」の感染", keep: []string{"エモテット"}},
	{name: "keep attacker handle", form: "handle xX_Shinobi_Xx on the forum", keep: []string{"xX_Shinobi_Xx"}},
	{name: "keep actor two words", form: "threat actor Scattered Spider", keep: []string{"Scattered Spider"}},
	{name: "keep attacker ipv4", form: "scanner 185.220.101.34", keep: []string{"185.220.101.34"}},
	{name: "keep bare at attacker domain", form: "seen at evil.example.com", keep: []string{"evil.example.com"}},
	{name: "keep ATT&CK technique", form: "technique T1566.002", keep: []string{"T1566.002"}},
	{name: "keep malware variant", form: "Mirai variant (Katana)", keep: []string{"Mirai variant (Katana)"}},
	{name: "keep lookalike without the full name", form: "secure-sakura-pay.example.com", keep: []string{"secure-sakura-pay.example.com"}},
	{name: "keep tool name", form: "Cobalt Strike beacon", keep: []string{"Cobalt Strike"}},
	{name: "keep role word before lower case", form: "engineer accounts targeted by Cobalt Strike", keep: []string{"Cobalt Strike"}},
	{name: "keep actor after actor", form: "actor Kimsuky", keep: []string{"Kimsuky"}},
	{name: "keep benchmark-range ipv4", form: "198.18.0.55", keep: []string{"198.18.0.55"}},
	{name: "keep attacker decimal number", form: "count 1234567890", keep: []string{"1234567890"}},
	{name: "keep attacker domain defanged", form: "evil-cdn[.]example[.]org", keep: []string{"evil-cdn[.]example[.]org"}},
	{name: "keep Japanese malware kanji context", form: "攻撃者「黒猫」がランサムウェアを配布", keep: []string{"黒猫"}},
	{name: "keep words that join into a name across a full stop", form: "failed in Aichi. Rollback at 11:32", keep: []string{"in Aichi. Rollback at"}},
	{name: "keep words that join into a name across a space", form: "the Aichi rollout", keep: []string{"the Aichi rollout"}},
}

// formBundle returns a bundle by submitter with form in the name and
// description of a TLP:CLEAR incident and indicator.
func formBundle(t testing.TB, submitter, form string) *stix.Bundle {
	identity := map[string]string{"carrier-a": "identity--6d0bd1b6-5a1c-4c7e-9a53-6f1b1d9c2b11", "carrier-b": "identity--2f9a7c31-8e4b-4d6a-b1c2-7e3f9a0d5b42",
		"carrier-c": "identity--9c4e2b18-3a7d-4f51-8e26-b0d1c5a7e394"}[submitter]
	text := "Report: " + form + " confirmed the outage."
	if !isASCII(form) {
		text = "報告：" + form + "。障害を確認した。"
	}
	objs := []map[string]any{
		{"type": "incident", "spec_version": "2.1", "id": "incident--0b6a9c56-0f4c-4d4b-9a39-3f2a5d6e7c82", "created": "2026-07-10T00:00:00.000Z",
			"modified": "2026-07-10T00:00:00.000Z", "created_by_ref": identity, "name": text, "description": text,
			"object_marking_refs": []any{stix.MarkingClear}},
		{"type": "indicator", "spec_version": "2.1", "id": "indicator--0b6a9c56-0f4c-4d4b-9a39-3f2a5d6e7c83", "created": "2026-07-10T00:00:00.000Z",
			"modified": "2026-07-10T00:00:00.000Z", "created_by_ref": identity, "name": text, "description": text,
			"indicator_types": []any{"malicious-activity"}, "pattern_type": "stix", "valid_from": "2026-07-10T00:00:00Z",
			"pattern": "[ipv4-addr:value = '45.142.212.100']", "object_marking_refs": []any{stix.MarkingClear}},
	}
	raw, err := json.Marshal(map[string]any{"type": "bundle", "id": "bundle--0b6a9c56-0f4c-4d4b-9a39-3f2a5d6e7c84", "objects": objs})
	if err != nil {
		t.Fatal(err)
	}
	b, err := stix.DecodeBundle(raw, stix.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// copyTexts returns the strings of a copy that carry content: not STIX
// identifiers, timestamps or the source pseudonym (random letters in which a
// short skeleton could occur by chance).
func copyTexts(t testing.TB, b *stix.Bundle) []string {
	var out []string
	for _, x := range texts(t, b) {
		if strings.HasPrefix(x, "{") || stix.ValidID(x, "") || isPseudonym(x) {
			continue
		}
		if _, err := stix.ParseTimestamp(x); err == nil {
			continue
		}
		out = append(out, x)
	}
	return out
}

func TestForms(t *testing.T) {
	if len(formCases) < 150 {
		t.Fatalf("%d form cases, want at least 150", len(formCases))
	}
	a := newTestAnonymizer(t)
	seen := map[string]bool{}
	for _, tc := range formCases {
		if seen[tc.name] {
			t.Fatalf("two rows named %q", tc.name)
		}
		seen[tc.name] = true
		t.Run(tc.name, func(t *testing.T) {
			sub := tc.submitter
			if sub == "" {
				sub = "carrier-a"
			}
			b := formBundle(t, sub, tc.form)
			for _, p := range []Profile{ProfileCEPTOAR, ProfilePublic} {
				res, err := a.Anonymize(b, sub, p)
				if err != nil {
					t.Fatal(err)
				}
				if tc.withheld {
					if !res.Withheld || res.Bundle != nil || len(res.Hits) == 0 {
						t.Fatalf("%s: released %q; want it withheld", p, tc.form)
					}
					for _, h := range res.Hits {
						if !strings.HasPrefix(h.Pointer, "/objects/") || h.Kind == "" {
							t.Errorf("%s: hit %+v has no pointer or kind", p, h)
						}
						if strings.Contains(fmt.Sprint(h), "akura") {
							t.Errorf("%s: hit %+v carries content", p, h)
						}
					}
					continue
				}
				if res.Withheld {
					t.Fatalf("%s: withheld %v; the scrubber should have removed %q", p, res.Hits, tc.form)
				}
				got := copyTexts(t, res.Bundle)
				for _, sec := range tc.secrets {
					sk := testSkeleton(sec)
					for _, x := range got {
						if strings.Contains(testSkeleton(x), sk) {
							t.Errorf("%s: %q survives in %q", p, sec, x)
						}
					}
				}
				all := strings.Join(got, "\n")
				for _, k := range tc.keep {
					if !strings.Contains(all, k) {
						t.Errorf("%s: attacker data %q lost:\n%s", p, k, all)
					}
				}
			}
		})
	}
}
