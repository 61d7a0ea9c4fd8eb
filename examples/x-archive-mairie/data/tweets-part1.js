window.YTD.tweets.part0 = [
  {
    "tweet" : {
      "edit_info" : { "initial" : { "editTweetIds" : [ "1700000000000000001" ] } },
      "retweeted" : false,
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
      "entities" : {
        "hashtags" : [ { "text" : "Brest", "indices" : [ "30", "36" ] } ],
        "symbols" : [ ],
        "user_mentions" : [ ],
        "urls" : [ { "url" : "https://t.co/abc", "expanded_url" : "https://brest.example/agenda", "display_url" : "brest.example/agenda", "indices" : [ "60", "83" ] } ]
      },
      "display_text_range" : [ "0", "83" ],
      "favorite_count" : "12",
      "id_str" : "1700000000000000001",
      "truncated" : false,
      "retweet_count" : "3",
      "id" : "1700000000000000001",
      "created_at" : "Mon Sep 11 08:30:00 +0000 2023",
      "favorited" : false,
      "full_text" : "Le marché de Noël ouvre à #Brest samedi ! Tout le programme &amp; les horaires : https://t.co/abc",
      "lang" : "fr"
    }
  },
  {
    "tweet" : {
      "retweeted" : false,
      "source" : "<a href=\"https://about.twitter.com/products/tweetdeck\" rel=\"nofollow\">TweetDeck</a>",
      "entities" : {
        "hashtags" : [ ],
        "symbols" : [ ],
        "user_mentions" : [ { "name" : "Jeanne", "screen_name" : "jeanne_b", "indices" : [ "0", "9" ], "id_str" : "55", "id" : "55" } ],
        "urls" : [ ]
      },
      "favorite_count" : "1",
      "in_reply_to_status_id_str" : "1700000000000000099",
      "id_str" : "1700000000000000002",
      "in_reply_to_user_id" : "55",
      "truncated" : false,
      "retweet_count" : "0",
      "id" : "1700000000000000002",
      "in_reply_to_status_id" : "1700000000000000099",
      "created_at" : "Mon Sep 11 09:05:10 +0000 2023",
      "favorited" : false,
      "full_text" : "@jeanne_b Bonjour Jeanne, la déchetterie est ouverte jusqu'à 18 h.",
      "lang" : "fr",
      "in_reply_to_screen_name" : "jeanne_b",
      "in_reply_to_user_id_str" : "55"
    }
  }
]
