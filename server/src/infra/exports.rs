//! The allow-list in the formats firewalls and clouds read: a plain list, CSV, an nftables set, iptables rules
//! (`iptables-restore` input), an AWS security-group ingress request, an Azure NSG security rule and a GCP
//! firewall rule. Each is made from the same ranges and ports; the tests read each back with a parser (the real
//! `nft` and `iptables-restore` where installed).

use std::collections::{BTreeMap, BTreeSet};

use ipnet::Ipv4Net;
use serde_json::json;

/// The formats, by the name the page and URL use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Plain,
    Csv,
    Nftables,
    Iptables,
    Aws,
    Azure,
    Gcp,
}

impl Format {
    pub const ALL: [Format; 7] =
        [Format::Plain, Format::Csv, Format::Nftables, Format::Iptables, Format::Aws, Format::Azure, Format::Gcp];

    pub fn name(self) -> &'static str {
        match self {
            Format::Plain => "plain",
            Format::Csv => "csv",
            Format::Nftables => "nftables",
            Format::Iptables => "iptables",
            Format::Aws => "aws",
            Format::Azure => "azure",
            Format::Gcp => "gcp",
        }
    }

    pub fn parse(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == name)
    }

    /// The file name a download gets.
    pub fn file_name(self) -> &'static str {
        match self {
            Format::Plain => "auth0-outbound.txt",
            Format::Csv => "auth0-outbound.csv",
            Format::Nftables => "auth0-outbound.nft",
            Format::Iptables => "auth0-outbound.rules",
            Format::Aws => "auth0-outbound-aws-sg.json",
            Format::Azure => "auth0-outbound-azure-nsg.json",
            Format::Gcp => "auth0-outbound-gcp-firewall.json",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Aws | Format::Azure | Format::Gcp => "application/json",
            _ => "text/plain; charset=utf-8",
        }
    }
}

/// Ports as the exports take them: 1 to 8 TCP ports, each 1–65535 ("443,587").
pub fn ports(text: &str) -> Result<Vec<u16>, String> {
    let list: BTreeSet<u16> = text
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            p.parse::<u16>()
                .ok()
                .filter(|p| *p > 0)
                .ok_or_else(|| format!("{:?} is not a port", crate::text::cut(p, 10)))
        })
        .collect::<Result<_, _>>()?;
    if list.is_empty() || list.len() > 8 {
        return Err("give 1 to 8 TCP ports, such as 443 or 443,587".into());
    }
    Ok(list.into_iter().collect())
}

/// The allow-list: region → ranges (only the chosen regions), and the TCP ports to open.
pub struct AllowList<'a> {
    pub regions: &'a BTreeMap<String, BTreeSet<Ipv4Net>>,
    pub ports: &'a [u16],
}

impl AllowList<'_> {
    fn ranges(&self) -> BTreeSet<Ipv4Net> {
        self.regions.values().flatten().copied().collect()
    }

    fn region_words(&self) -> String {
        self.regions.keys().map(|r| r.to_ascii_uppercase()).collect::<Vec<_>>().join(", ")
    }

    fn port_list(&self) -> String {
        self.ports.iter().map(u16::to_string).collect::<Vec<_>>().join(",")
    }

    /// The allow-list in `format`.
    pub fn render(&self, format: Format) -> String {
        let ranges = self.ranges();
        let desc = format!("Auth0 outbound ({})", self.region_words());
        match format {
            Format::Plain => ranges.iter().map(|r| format!("{r}\n")).collect(),
            Format::Csv => {
                let mut out = String::from("region,cidr\n");
                for (region, list) in self.regions {
                    for r in list {
                        out.push_str(&format!("{region},{r}\n"));
                    }
                }
                out
            }
            Format::Nftables => {
                // A set in its own table; rules elsewhere refer to it as @auth0_outbound.
                let elements = if ranges.is_empty() {
                    String::new()
                } else {
                    format!(
                        "\n    elements = {{ {} }}",
                        ranges.iter().map(Ipv4Net::to_string).collect::<Vec<_>>().join(",\n                 ")
                    )
                };
                format!(
                    "# {desc}, tcp ports {ports}\ntable inet tenantry_auth0 {{\n  set auth0_outbound {{\n    type ipv4_addr\n    \
                     flags interval{elements}\n  }}\n  chain input {{\n    type filter hook input priority 0; policy accept;\n    \
                     ip saddr @auth0_outbound tcp dport {{ {ports} }} accept\n  }}\n}}\n",
                    ports = self.ports.iter().map(u16::to_string).collect::<Vec<_>>().join(", ")
                )
            }
            Format::Iptables => {
                let mut out = format!("# {desc}\n*filter\n:AUTH0-OUTBOUND - [0:0]\n");
                for r in &ranges {
                    out.push_str(&format!(
                        "-A AUTH0-OUTBOUND -s {r} -p tcp -m multiport --dports {} -j ACCEPT\n",
                        self.port_list()
                    ));
                }
                out.push_str("COMMIT\n");
                out
            }
            Format::Aws => {
                let ip_ranges: Vec<_> =
                    ranges.iter().map(|r| json!({"CidrIp": r.to_string(), "Description": desc})).collect();
                let permissions: Vec<_> = self
                    .ports
                    .iter()
                    .map(|p| json!({"IpProtocol": "tcp", "FromPort": p, "ToPort": p, "IpRanges": ip_ranges}))
                    .collect();
                pretty(&json!({"IpPermissions": permissions}))
            }
            Format::Azure => pretty(&json!({
                "name": "allow-auth0-outbound",
                "properties": {
                    "description": desc,
                    "protocol": "Tcp",
                    "sourceAddressPrefixes": ranges.iter().map(Ipv4Net::to_string).collect::<Vec<_>>(),
                    "sourcePortRange": "*",
                    "destinationAddressPrefix": "*",
                    "destinationPortRanges": self.ports.iter().map(u16::to_string).collect::<Vec<_>>(),
                    "access": "Allow",
                    "priority": 200,
                    "direction": "Inbound"
                }
            })),
            Format::Gcp => pretty(&json!({
                "name": "allow-auth0-outbound",
                "description": desc,
                "direction": "INGRESS",
                "allowed": [{"IPProtocol": "tcp", "ports": self.ports.iter().map(u16::to_string).collect::<Vec<_>>()}],
                "sourceRanges": ranges.iter().map(Ipv4Net::to_string).collect::<Vec<_>>()
            })),
        }
    }
}

fn pretty(v: &serde_json::Value) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}
