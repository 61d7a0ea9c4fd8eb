window.YTD.tweets.part1 = [
  {
    "tweet" : {
      "retweeted" : false,
      "source" : "<a href=\"https://ifttt.com\" rel=\"nofollow\">IFTTT</a>",
      "entities" : {
        "hashtags" : [ ],
        "symbols" : [ ],
        "user_mentions" : [ { "name" : "Ouest", "screen_name" : "ouest_info", "indices" : [ "3", "14" ], "id_str" : "77", "id" : "77" } ],
        "urls" : [ ]
      },
      "favorite_count" : "0",
      "id_str" : "1700000000000000003",
      "retweet_count" : "8",
      "id" : "1700000000000000003",
      "created_at" : "Tue Sep 12 17:00:00 +0000 2023",
      "full_text" : "RT @ouest_info: Travaux rue de Siam <cette semaine> https://t.co/x",
      "lang" : "fr"
    }
  },
  {
    "tweet" : {
      "retweeted" : false,
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter for iPhone</a>",
      "entities" : {
        "hashtags" : [ ],
        "symbols" : [ ],
        "user_mentions" : [ ],
        "urls" : [ { "url" : "https://t.co/q", "expanded_url" : "https://twitter.com/ouest_info/status/1699999999999999999", "display_url" : "twitter.com/ouest_info/sta…", "indices" : [ "20", "43" ] } ],
        "media" : [ { "type" : "photo", "media_url_https" : "https://pbs.twimg.com/media/a.jpg" } ]
      },
      "extended_entities" : { "media" : [ { "type" : "photo" }, { "type" : "video" } ] },
      "favorite_count" : "4",
      "id_str" : "1700000000000000004",
      "retweet_count" : "1",
      "id" : "1700000000000000004",
      "created_at" : "Wed Sep 13 07:45:00 +0000 2023",
      "full_text" : "Merci pour l'info ! https://t.co/q",
      "lang" : "und"
    }
  }
]
